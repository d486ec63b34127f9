import Foundation

/// Typed configuration read once from the environment and an optional `.env` file.
///
/// The process environment wins over `.env`, which wins over the defaults. Every variable is listed in
/// `.env.example` with a one-line comment.
public struct Settings: Sendable {
    /// `ENVIRONMENT`: `development` (the default) or `production`.
    public var environment: String
    /// `DEBUG`: show detailed error pages. Off unless asked.
    public var debug: Bool
    /// `HOST`: the address to listen on.
    public var host: String
    /// `PORT`: the port to listen on.
    public var port: Int
    /// `BASE_DIR`: the project root that holds `Public/`, `Templates/` and `data/` (the working directory).
    public var baseDirectory: String
    /// `DATA_DIR`: the SQLite volume (`data/`).
    public var dataDirectory: String
    /// `DATABASE_PATH`: the main database (`data/db.sqlite3`).
    public var databasePath: String
    /// `PUBLIC_DIR`: static files served at `/static/`.
    public var publicDirectory: String
    /// `TEMPLATES_DIR`: the site's templates.
    public var templatesDirectory: String
    /// `LOG_LEVEL`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: Logger.Level
    /// `MAX_BODY_SIZE`: the largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// `REUSE_PORT`: bind with SO_REUSEPORT so a new process can take over while the old one drains.
    public var reusePort: Bool
    /// `ALLOWED_HOSTS`: comma-separated host names this site answers for (`.example.com` includes
    /// subdomains, `*` allows any). Defaults to the loopback names in development, nothing in production.
    public var allowedHosts: [String]
    /// `PASSWORD_ITERATIONS`: PBKDF2-SHA256 iterations for new password hashes (Django 6: 1,200,000).
    public var passwordIterations: Int
    /// `TRUSTED_PROXIES`: addresses whose `X-Forwarded-Proto`/`X-Forwarded-For` are believed (Caddy's).
    public var trustedProxies: [String]
    /// The SQLite pragmas and pool sizes for `DATABASE_PATH`: the production set, with `SQLITE_BUSY_TIMEOUT`,
    /// `SQLITE_CACHE_SIZE`, `SQLITE_MMAP_SIZE`, `SQLITE_JOURNAL_SIZE_LIMIT`, `SQLITE_SYNCHRONOUS` and
    /// `SQLITE_READERS` as overrides.
    public var databaseConfiguration: DatabaseConfiguration
    /// Every variable that was read, for checks and diagnostics.
    public let values: [String: String]

    /// Whether this is a production deployment.
    public var isProduction: Bool { environment == "production" }

    /// Reads the settings from `environment` (the process environment by default) and `BASE_DIR/.env`.
    public init(environment processEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        let base = processEnvironment["BASE_DIR"] ?? FileManager.default.currentDirectoryPath
        var merged = Settings.readDotEnv(at: base + "/.env")
        merged.merge(processEnvironment) { _, process in process }
        values = merged
        func path(_ key: String, _ fallback: String) -> String {
            let value = merged[key] ?? fallback
            return value.hasPrefix("/") ? value : base + "/" + value
        }
        environment = merged["ENVIRONMENT"] ?? "development"
        debug = Settings.flag(merged["DEBUG"]) ?? false
        host = merged["HOST"] ?? "127.0.0.1"
        port = merged["PORT"].flatMap(Int.init) ?? 8000
        baseDirectory = base
        dataDirectory = path("DATA_DIR", "data")
        databasePath = merged["DATABASE_PATH"].map { $0.hasPrefix("/") ? $0 : base + "/" + $0 } ?? dataDirectory + "/db.sqlite3"
        publicDirectory = path("PUBLIC_DIR", "Public")
        templatesDirectory = path("TEMPLATES_DIR", "Templates")
        logLevel = merged["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        maxBodySize = merged["MAX_BODY_SIZE"].flatMap(Int.init) ?? 10 * 1024 * 1024
        reusePort = Settings.flag(merged["REUSE_PORT"]) ?? false
        let isProduction = environment == "production"
        allowedHosts = Settings.list(merged["ALLOWED_HOSTS"])
            ?? (isProduction ? [] : ["localhost", "127.0.0.1", "[::1]", ".localhost"])
        passwordIterations = merged["PASSWORD_ITERATIONS"].flatMap(Int.init) ?? 1_200_000
        trustedProxies = Settings.list(merged["TRUSTED_PROXIES"]) ?? ["127.0.0.1", "::1"]
        var database = DatabaseConfiguration()
        if let value = merged["SQLITE_BUSY_TIMEOUT"].flatMap(Int.init) { database.busyTimeoutMilliseconds = value }
        if let value = merged["SQLITE_CACHE_SIZE"].flatMap(Int.init) { database.cacheSize = value }
        if let value = merged["SQLITE_MMAP_SIZE"].flatMap(Int64.init) { database.mmapSize = value }
        if let value = merged["SQLITE_JOURNAL_SIZE_LIMIT"].flatMap(Int64.init) { database.journalSizeLimit = value }
        if let value = merged["SQLITE_SYNCHRONOUS"], !value.isEmpty { database.synchronous = value.uppercased() }
        if let value = merged["SQLITE_READERS"].flatMap(Int.init) { database.readerCount = value }
        databaseConfiguration = database
    }

    /// Splits a comma-separated list; nil when the variable is unset.
    static func list(_ value: String?) -> [String]? {
        value.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// Parses `1/true/yes/on` and `0/false/no/off`; nil for anything else.
    static func flag(_ value: String?) -> Bool? {
        switch value?.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }

    /// Reads `KEY=value` lines; `#` comments, blank lines, `export ` prefixes and quotes are handled.
    static func readDotEnv(at path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            result[key] = value
        }
        return result
    }
}
