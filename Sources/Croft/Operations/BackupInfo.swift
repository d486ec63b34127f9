import Foundation

/// One backup file as `/staff/backups/` lists it.
public struct BackupInfo: Sendable, Codable, Equatable {
    /// The file name inside the backups directory (`db-20260101-030000.sqlite3[.gz]`).
    public let name: String
    /// The full path.
    public let path: String
    /// Size in bytes.
    public let size: Int64
    /// When the file was written.
    public let createdAt: Date
    /// Whether it is gzip-compressed.
    public var isCompressed: Bool { name.hasSuffix(".gz") }
}
