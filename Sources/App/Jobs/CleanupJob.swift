import Croft
import Foundation

/// Hourly clean-up: expired sessions (when the `sessions` table exists), audit events older than
/// `AUDIT_RETENTION_DAYS`, expired and excess cache entries, and finished jobs older than a week.
struct CleanupJob: Job {
    static let name = "croft.cleanup"

    func run(_ context: JobContext) async throws {
        let sessions = try await context.database.write { db -> Int in
            // The sessions table comes with accounts; until it exists there is nothing to clean.
            let columns = try db.fetchAll("SELECT name FROM pragma_table_info('sessions')").map { try $0.get(0, as: String.self) }
            guard columns.contains("expires_at") else { return 0 }
            try db.execute("DELETE FROM sessions WHERE expires_at < ?", Date())
            return db.changes
        }
        let retention = context.settings.accounts.auditRetentionDays
        let audit = try await context.database.write { db -> Int in
            guard try db.fetchOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'") != nil else { return 0 }
            return try Audit.purge(olderThanDays: retention, in: db)
        }
        let operations = context.settings.operations
        let culled = try await Site.runBlocking {
            let cache = try Cache(path: operations.cachePath, maxEntries: operations.cacheMaxEntries)
            defer { cache.close() }
            return try cache.cullSync()
        }
        let jobs = try await JobQueue(database: context.database).purgeFinished()
        context.logger.info("clean-up: \(sessions) expired session(s), \(audit) old audit event(s), \(culled) cache entries, \(jobs) finished job(s)")
    }
}
