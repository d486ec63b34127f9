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
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS` (1,000) and `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB): the most fields
    /// and bytes an url-encoded form may have (Django's names and defaults); over them a request gets 400/413.
    public var formLimits: FormLimits
    /// `MAX_CONNECTIONS` (4,096) and `MAX_CONNECTIONS_PER_CLIENT` (512): client connections open at once, in
    /// all and from one address; past either a new connection gets a 503 and is closed.
    public var maxConnections: Int
    /// See ``maxConnections``.
    public var maxConnectionsPerClient: Int
    /// `MIN_REQUEST_BODY_RATE`: the slowest a request body may arrive, in bytes per second over each 10 s
    /// (1,024; 0 turns it off); slower is a 408.
    public var minimumRequestBodyRate: Int
    /// `MAX_BODY_MEMORY`: request-body bytes held in memory across all connections (64 MiB); past it a
    /// request gets 503 + `Retry-After`.
    public var maxBodyMemory: Int
    /// `LOGIN_RATE_LIMIT` (20) and `SIGNUP_RATE_LIMIT` (10): log-in attempts per client address per minute,
    /// and sign-ups per client address per hour; past them a 429 with `Retry-After`, before any hashing.
    public var loginRateLimit: Int
    /// See ``loginRateLimit``.
    public var signupRateLimit: Int
    /// `REUSE_PORT`: bind with SO_REUSEPORT so a new process can take over while the old one drains.
    public var reusePort: Bool
    /// `POLLER`: `epoll` (Linux's fast path, its default) or `dispatch` (Dispatch sources: kqueue on a Mac,
    /// the default wherever epoll is absent).
    public var poller: PollerBackend
    /// `ALLOWED_HOSTS`: comma-separated host names this site answers for (`.example.com` includes
    /// subdomains, `*` allows any). Defaults to the loopback names in development, nothing in production.
    public var allowedHosts: [String]
    /// `PASSWORD_ITERATIONS`: PBKDF2-SHA256 iterations for new password hashes (Django 6: 1,200,000).
    public var passwordIterations: Int
    /// `PASSWORD_HASH_CONCURRENCY` (half the cores) and `PASSWORD_HASH_WAIT` (5 s): how many password hashes
    /// run at once and how long a log-in or sign-up waits for one before a 503. Shared by copies of these
    /// settings, so one process has one gate.
    public let passwordHashing: PasswordHashingGate
    /// `TRUSTED_PROXIES`: addresses and CIDR ranges (`172.16.0.0/12`) whose `X-Forwarded-Proto` and
    /// `X-Forwarded-For` are believed (Caddy's); matched numerically, so `::ffff:127.0.0.1` is `127.0.0.1`.
    public var trustedProxies: AddressList
    /// The SQLite pragmas and pool sizes for `DATABASE_PATH`: the production set, with `SQLITE_BUSY_TIMEOUT`,
    /// `SQLITE_CACHE_SIZE`, `SQLITE_MMAP_SIZE`, `SQLITE_JOURNAL_SIZE_LIMIT`, `SQLITE_SYNCHRONOUS`,
    /// `SQLITE_FOREIGN_KEYS`, `SQLITE_TEMP_STORE` and `SQLITE_READERS` as overrides. `journal_mode` has no
    /// variable: the pool's concurrent readers need WAL (set it here in Swift only for a special case).
    /// Values SQLite would ignore are refused when the database opens (``DatabaseConfiguration/problems``).
    public var databaseConfiguration: DatabaseConfiguration
    /// Variables whose values did not parse (`PORT=80a`), one sentence each, rather than quietly using
    /// the default.
    public let invalidValues: [String]
    /// Everything wrong with these settings: ``invalidValues`` and the database configuration's
    /// `problems` (values SQLite would ignore). `Site.openDatabase` refuses to start with any.
    public var problems: [String] { invalidValues + databaseConfiguration.problems + operations.problems + mail.problems + accounts.problems }
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
        // Values that do not parse are listed in `invalidValues` (and refused when the database opens)
        // instead of silently falling back to the default; an empty value counts as unset.
        var invalid: [String] = []
        func text(_ key: String) -> String? {
            guard let value = merged[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func number<T: FixedWidthInteger>(_ key: String, _ type: T.Type = Int.self) -> T? {
            guard let value = text(key) else { return nil }
            guard let parsed = T(value) else {
                invalid.append("\(key)=\"\(value)\" is not a whole number")
                return nil
            }
            return parsed
        }
        func boolean(_ key: String) -> Bool? {
            guard let value = text(key) else { return nil }
            guard let parsed = Settings.flag(value) else {
                invalid.append("\(key)=\"\(value)\" is not one of 1, true, yes, on, 0, false, no, off")
                return nil
            }
            return parsed
        }
        environment = merged["ENVIRONMENT"] ?? "development"
        debug = boolean("DEBUG") ?? false
        host = merged["HOST"] ?? "127.0.0.1"
        port = number("PORT") ?? 8000
        if !(0...65535).contains(port) {
            invalid.append("PORT=\(port) is not between 0 and 65535")
            port = 8000
        }
        baseDirectory = base
        dataDirectory = path("DATA_DIR", "data")
        databasePath = merged["DATABASE_PATH"].map { $0.hasPrefix("/") ? $0 : base + "/" + $0 } ?? dataDirectory + "/db.sqlite3"
        publicDirectory = path("PUBLIC_DIR", "Public")
        templatesDirectory = path("TEMPLATES_DIR", "Templates")
        let level = text("LOG_LEVEL")
        logLevel = level.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        if let level, Logger.Level(rawValue: level.lowercased()) == nil {
            invalid.append("LOG_LEVEL=\"\(level)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        func bounded(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int {
            guard let value = number(key) else { return fallback }
            guard range.contains(value) else {
                invalid.append("\(key)=\(value) is not between \(range.lowerBound) and \(range.upperBound)")
                return fallback
            }
            return value
        }
        // 1 GB: SQLite's own largest string or blob (SQLITE_MAX_LENGTH); larger cannot be stored anyway.
        maxBodySize = bounded("MAX_BODY_SIZE", 10 * 1024 * 1024, 0...1_000_000_000)
        maxConnections = bounded("MAX_CONNECTIONS", 4096, 1...1_000_000)
        maxConnectionsPerClient = bounded("MAX_CONNECTIONS_PER_CLIENT", 512, 1...1_000_000)
        minimumRequestBodyRate = bounded("MIN_REQUEST_BODY_RATE", 1024, 0...1_000_000_000)
        maxBodyMemory = bounded("MAX_BODY_MEMORY", 64 * 1024 * 1024, 0...Int(Int32.max) * 64)
        reusePort = boolean("REUSE_PORT") ?? false
        poller = PollerBackend.platformDefault
        if let value = text("POLLER") {
            if let chosen = PollerBackend(setting: value) {
                poller = chosen
            } else {
                invalid.append("POLLER=\"\(value)\" is not one of \(PollerBackend.settingValues)")
            }
        }
        formLimits = FormLimits()
        formLimits.maxFields = bounded("DATA_UPLOAD_MAX_NUMBER_FIELDS", formLimits.maxFields, 1...10_000_000)
        formLimits.maxBytes = bounded("DATA_UPLOAD_MAX_MEMORY_SIZE", formLimits.maxBytes, 0...1_000_000_000)
        let isProduction = environment == "production"
        allowedHosts = Settings.list(merged["ALLOWED_HOSTS"])
            ?? (isProduction ? [] : ["localhost", "127.0.0.1", "[::1]", ".localhost"])
        passwordHashing = PasswordHashingGate(
            concurrency: bounded("PASSWORD_HASH_CONCURRENCY", PasswordHashingGate.defaultConcurrency, 1...1024),
            maxWaiting: 64, waitTimeout: .seconds(bounded("PASSWORD_HASH_WAIT", 5, 1...3600)))
        loginRateLimit = bounded("LOGIN_RATE_LIMIT", 20, 1...1_000_000)
        signupRateLimit = bounded("SIGNUP_RATE_LIMIT", 10, 1...1_000_000)
        passwordIterations = bounded("PASSWORD_ITERATIONS", 1_200_000, 1...PasswordHasher.maximumIterations)
        trustedProxies = AddressList(Settings.list(merged["TRUSTED_PROXIES"]) ?? ["127.0.0.1", "::1"])
        for entry in trustedProxies.invalidEntries {
            invalid.append("TRUSTED_PROXIES entry \"\(entry)\" is not an IP address, a CIDR range (10.0.0.0/8) or *")
        }
        var database = DatabaseConfiguration()
        if let value = number("SQLITE_BUSY_TIMEOUT") { database.busyTimeoutMilliseconds = value }
        if let value = number("SQLITE_CACHE_SIZE") { database.cacheSize = value }
        if let value = number("SQLITE_MMAP_SIZE", Int64.self) { database.mmapSize = value }
        if let value = number("SQLITE_JOURNAL_SIZE_LIMIT", Int64.self) { database.journalSizeLimit = value }
        func keyword<K: PragmaKeyword>(_ key: String, _ pragma: String, _ type: K.Type) -> K? {
            guard let value = text(key) else { return nil }
            guard let keyword = K(setting: value) else {
                // SQLite would ignore it (synchronous = FUL leaves NORMAL in force): refused, not guessed.
                invalid.append("\(pragma) \"\(value)\" is not one of \(K.keywords)")
                return nil
            }
            return keyword
        }
        if let value = keyword("SQLITE_SYNCHRONOUS", "synchronous", SynchronousMode.self) { database.synchronous = value }
        if let value = boolean("SQLITE_FOREIGN_KEYS") { database.foreignKeys = value }
        if let value = keyword("SQLITE_TEMP_STORE", "temp_store", TempStore.self) { database.tempStore = value }
        if let value = number("SQLITE_READERS") { database.readerCount = value }
        if isProduction && debug {
            // A 500 page in DEBUG shows the SQL and the error: never to the public.
            invalid.append("DEBUG=true with ENVIRONMENT=production would show SQL and errors to visitors; unset DEBUG")
        }
        invalidValues = invalid
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
