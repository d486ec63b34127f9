import Croft

/// The `q` parameter of `/queries` and `/updates`, by the TechEmpower rules: an integer clamped
/// to 1...500; missing or not a number means 1.
/// https://github.com/TechEmpowerFrameworkBenchmarks/wiki/Project-Information-Framework-Tests-Overview#multiple-database-queries
enum QueryCount {
    static func from(_ request: Request) -> Int {
        guard let query = request.queryString else { return 1 }
        for pair in query.split(separator: "&") where pair.hasPrefix("q=") {
            guard let value = Int(pair.dropFirst(2)) else { return 1 }
            return min(max(value, 1), 500)
        }
        return 1
    }
}
