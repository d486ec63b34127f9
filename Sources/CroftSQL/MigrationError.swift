/// A migration that could not run, always naming it and saying why.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The migration's SQL or closure failed; the database is left at the previous version.
        case failed
        /// `PRAGMA foreign_key_check` found violations after the migration; it was rolled back.
        case foreignKeyViolation
        /// The migration was edited after it was applied.
        case checksumMismatch
        /// `revert` reached a migration with no `down`.
        case irreversible
        /// `migrate(to:)` named a migration that is not in the list.
        case unknownMigration
    }

    /// What went wrong.
    public let kind: Kind
    /// The migration concerned.
    public let migration: String
    /// A sentence for the operator.
    public let message: String
    /// The SQLite error underneath, when there is one.
    public let underlying: SQLiteError?

    /// Creates an error from its parts.
    public init(kind: Kind, migration: String, message: String, underlying: SQLiteError? = nil) {
        self.kind = kind
        self.migration = migration
        self.message = message
        self.underlying = underlying
    }

    /// "migration 0003_add_email failed: ...".
    public var description: String { "migration \(migration) \(message)" }
}
