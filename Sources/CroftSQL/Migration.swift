import Crypto
/// One named, ordered schema change: SQL text or a Swift closure, with an optional way back.
///
/// The name is stable forever (`0001_create_users`) and recorded in `schema_migrations` with a
/// checksum, so editing a migration after it ran is caught instead of silently diverging.
///
/// ```swift
/// Migration("0001_create_notes",
///           up: "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL)",
///           down: "DROP TABLE notes")
/// Migration("0002_backfill_slugs", version: "1") { db in
///     for row in try db.fetchAll("SELECT id, title FROM notes") { ... }
/// }
/// ```
public struct Migration: Sendable {
    /// What a migration runs: a SQL script or a closure.
    public enum Step: Sendable {
        /// A script of one or more SQL statements.
        case sql(String)
        /// Swift code, given the connection inside the migration's transaction.
        case closure(@Sendable (Connection) throws -> Void)
    }

    /// The stable name, e.g. `0001_create_users`; migrations apply in list order.
    public let name: String
    /// The forward step.
    public let up: Step
    /// The backward step, if the migration can be reverted.
    public let down: Step?
    /// SHA-256 of the `up` SQL, or of the caller's version string for a closure.
    public let checksum: String
    /// Turns foreign keys off around the transaction, as table rebuilds need.
    ///
    /// `PRAGMA foreign_keys` cannot change inside a transaction, and `DROP TABLE` with foreign keys on
    /// would cascade; `PRAGMA foreign_key_check` still runs before COMMIT.
    /// https://sqlite.org/lang_altertable.html#otheralter
    public let disablesForeignKeys: Bool

    /// A SQL migration; the checksum is taken from `up`.
    public init(_ name: String, up: String, down: String? = nil, disablesForeignKeys: Bool = false) {
        self.name = name
        self.up = .sql(up)
        self.down = down.map { .sql($0) }
        self.checksum = Migration.checksum(up)
        self.disablesForeignKeys = disablesForeignKeys
    }

    /// A closure migration; bump `version` whenever you change what the closure does.
    public init(
        _ name: String,
        version: String,
        disablesForeignKeys: Bool = false,
        up: @escaping @Sendable (Connection) throws -> Void,
        down: (@Sendable (Connection) throws -> Void)? = nil
    ) {
        self.name = name
        self.up = .closure(up)
        self.down = down.map { .closure($0) }
        self.checksum = Migration.checksum("closure:" + version)
        self.disablesForeignKeys = disablesForeignKeys
    }

    /// The SQL this migration runs, or a comment saying it is Swift code.
    public var upSQL: String {
        switch up {
        case .sql(let sql): sql
        case .closure: "-- \(name) runs Swift code; its SQL is not known in advance"
        }
    }

    /// The SQL that reverts this migration, a comment when that is Swift code, or `nil` without a `down`.
    public var downSQL: String? {
        switch down {
        case .sql(let sql): sql
        case .closure: "-- reverting \(name) runs Swift code; its SQL is not known in advance"
        case nil: nil
        }
    }
}

extension Migration {
    /// The lower-case hex SHA-256 of `text` (swift-crypto): it only has to notice that a migration changed.
    static func checksum(_ text: String) -> String {
        Crypto.SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
