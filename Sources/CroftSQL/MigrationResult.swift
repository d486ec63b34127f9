/// What ``Migrator/migrate(_:to:backupDirectory:)`` did.
public struct MigrationResult: Sendable, Equatable {
    /// Names of the migrations this call applied, in order.
    public let applied: [String]
    /// The pre-migrate backup written, if any.
    public let backupPath: String?
}
