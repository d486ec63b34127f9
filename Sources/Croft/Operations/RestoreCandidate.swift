/// What ``DatabaseRestorer/inspect(_:)`` found in a file offered for restore.
public struct RestoreCandidate: Sendable, Equatable {
    /// The file offered (maybe `.gz`).
    public let file: String
    /// The plain SQLite file checked (a temporary decompressed copy for `.gz`).
    public let databaseFile: String
    /// Migrations recorded in its `schema_migrations`, oldest first.
    public let appliedMigrations: [String]
    /// This build's migrations the file lacks: run `app migrate` after restoring.
    public let pendingMigrations: [String]
}
