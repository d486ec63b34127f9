import Croft
import Foundation

/// What the staff dashboard shows about the main database: sizes, pragmas in effect, migrations, the write queue.
struct StaffDatabaseFacts: Sendable {
    var path: String
    var fileBytes: Int64
    var walBytes: Int64
    var pageSize: Int
    var pageCount: Int
    var freePages: Int
    var pragmas: [(String, String)]
    var applied: [AppliedMigration]
    var pending: [String]
    var statistics: PoolStatistics

    static let pragmaNames = [
        "journal_mode", "synchronous", "foreign_keys", "busy_timeout", "temp_store", "mmap_size",
        "journal_size_limit", "cache_size",
    ]

    static func gather(settings: Settings, database: DatabasePool) async throws -> StaffDatabaseFacts {
        let path = settings.databasePath
        let (pageSize, pageCount, freePages, pragmas) = try await database.read { db in
            let pragmas = try pragmaNames.map { name in (name, try db.pragma(name).displayText) }
            return (try db.fetchValue(Int.self, "PRAGMA page_size") ?? 0, try db.fetchValue(Int.self, "PRAGMA page_count") ?? 0,
                    try db.fetchValue(Int.self, "PRAGMA freelist_count") ?? 0, pragmas)
        }
        let migrator = Site.migrator
        return StaffDatabaseFacts(
            path: path, fileBytes: fileSize(path), walBytes: fileSize(path + "-wal"), pageSize: pageSize,
            pageCount: pageCount, freePages: freePages, pragmas: pragmas,
            applied: try migrator.appliedMigrations(database),
            pending: try migrator.pendingMigrations(database).map(\.name), statistics: database.statistics)
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    var templateValue: TemplateValue {
        let formatter = ISO8601DateFormatter()
        return [
            "path": .string(path), "file_size": .string(Self.bytes(fileBytes)), "wal_size": .string(Self.bytes(walBytes)),
            "page_size": .int(pageSize), "page_count": .int(pageCount), "free_pages": .int(freePages),
            "pragmas": .array(pragmas.map { ["name": .string($0.0), "value": .string($0.1)] }),
            "applied": .array(applied.map { ["name": .string($0.name), "at": .string(formatter.string(from: $0.appliedAt))] }),
            "pending": .array(pending.map { .string($0) }),
            "write_queue_depth": .int(statistics.writeQueueDepth),
            "write_wait_p50": .string(Self.milliseconds(statistics.writeWaitP50)),
            "write_wait_p99": .string(Self.milliseconds(statistics.writeWaitP99)),
            "writes_started": .int(statistics.writesStarted), "readers": .int(statistics.readerCount),
        ]
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.2f ms", seconds * 1000)
    }
}

extension SQLValue {
    /// The value as plain text for display.
    var displayText: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        case .blob(let value): "\(value.count) bytes"
        }
    }
}
