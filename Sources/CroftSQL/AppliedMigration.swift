import struct Foundation.Date

/// A migration recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    /// The migration's name.
    public let name: String
    /// The checksum recorded when it ran.
    public let checksum: String
    /// When it ran, in UTC.
    public let appliedAt: Date

    /// Creates a record from its parts.
    public init(name: String, checksum: String, appliedAt: Date) {
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
    }
}
