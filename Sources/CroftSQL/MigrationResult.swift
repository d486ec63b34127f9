/// What ``Migrator/migrate(_:to:backupDirectory:)`` or ``Migrator/revert(_:count:backupDirectory:)`` did.
public struct MigrationResult: Sendable, Equatable {
    /// Names of the migrations this call applied, in order.
    public let applied: [String]
    /// Names of the migrations this call reverted, newest first.
    public let reverted: [String]
    /// The pre-migrate backup written, if any.
    public let backupPath: String?

    /// Creates a result from its parts.
    public init(applied: [String] = [], reverted: [String] = [], backupPath: String? = nil) {
        self.applied = applied
        self.reverted = reverted
        self.backupPath = backupPath
    }

    /// True when the call changed nothing.
    public var isEmpty: Bool { applied.isEmpty && reverted.isEmpty }
}
