/// The column names of a result and a name → position table, shared by all of its rows.
///
/// Built once per prepared statement, so rows carry only their values and a reference.
public final class ColumnIndex: Sendable {
    /// Column names in result order.
    public let names: [String]
    private let positions: [String: Int]
    private let lowercasedPositions: [String: Int]
    /// The names again, with a repeated name blanked to a string no lookup asks for, so that a
    /// position guessed by ``RowView`` is right exactly when the name there matches.
    let firstOccurrenceNames: [String]

    /// Builds the table; when names repeat, the first column with the name wins.
    public init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        var lowercased: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if positions[name] == nil { positions[name] = index }
            if lowercased[name.lowercased()] == nil { lowercased[name.lowercased()] = index }
        }
        self.positions = positions
        self.lowercasedPositions = lowercased
        self.firstOccurrenceNames = names.indices.map { positions[names[$0]] == $0 ? names[$0] : "\u{0}repeated" }
    }

    /// The number of columns.
    public var count: Int { names.count }

    /// The position of `name`, matched exactly first and then case-insensitively like SQL does.
    @inline(__always)
    public func index(of name: String) -> Int? {
        // For the usual handful of columns a scan of small-string compares beats hashing the name.
        if names.count <= 16 {
            for index in 0..<names.count where names[index] == name { return index }
        } else if let index = positions[name] {
            return index
        }
        return lowercasedPositions[name.lowercased()]
    }
}
