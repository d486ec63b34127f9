import Foundation

/// The health of a database as `app check` prints it: integrity, foreign keys, WAL size and free pages.
public struct DatabaseReport: Sendable, Codable, Equatable {
    /// Problems from `quick_check` (or `integrity_check` when full); empty when fine.
    public let integrityProblems: [String]
    /// Rows whose references do not resolve.
    public let foreignKeyViolations: [String]
    /// The `-wal` file's size in bytes.
    public let walBytes: Int64
    /// The page size in bytes.
    public let pageSize: Int
    /// Pages in the database file.
    public let pages: Int
    /// Pages on the free list: space `app vacuum` would give back.
    public let freePages: Int
    /// Whether the full `integrity_check` ran.
    public let full: Bool

    /// True when there is no integrity problem and no foreign key violation.
    public var isHealthy: Bool { integrityProblems.isEmpty && foreignKeyViolations.isEmpty }

    /// Checks `database` from one of its readers (writes go on meanwhile).
    public static func check(_ database: DatabasePool, full: Bool = false) throws -> DatabaseReport {
        try database.readSync { db in
            let counts = try db.pageCounts()
            return DatabaseReport(
                integrityProblems: try db.integrityProblems(full: full),
                foreignKeyViolations: try db.foreignKeyViolations(),
                walBytes: Doctor.fileSize(database.path + "-wal"),
                pageSize: counts.pageSize, pages: counts.pages, freePages: counts.freePages, full: full)
        }
    }

    /// The report as lines for a terminal.
    public var lines: [String] {
        var lines = [(full ? "integrity_check: " : "quick_check: ") + (integrityProblems.isEmpty ? "ok" : "\(integrityProblems.count) problem(s)")]
        lines += integrityProblems.prefix(20).map { "  \($0)" }
        lines.append("foreign_key_check: " + (foreignKeyViolations.isEmpty ? "ok" : "\(foreignKeyViolations.count) violation(s)"))
        lines += foreignKeyViolations.prefix(20).map { "  \($0)" }
        lines.append("size: \(Doctor.megabytes(Int64(pages * pageSize))) (\(pages) pages of \(pageSize) bytes)")
        lines.append("free pages: \(freePages) (\(Doctor.megabytes(Int64(freePages * pageSize))); `app vacuum` reclaims them)")
        lines.append("WAL: \(Doctor.megabytes(walBytes))")
        return lines
    }
}
