import Foundation

extension JobQueue {
    /// Counts by state, and how many queued jobs are due: the `/staff/jobs/` summary.
    public func counts() async throws -> JobCounts {
        let now = clock()
        return try await database.read { db in
            var counts = JobCounts()
            for row in try db.fetchAll("SELECT state, count(*) AS n, sum(state = 'queued' AND run_at <= ?) AS due FROM croft_jobs GROUP BY state", now) {
                let n: Int = try row.get("n")
                switch JobState(rawValue: try row.get("state")) {
                case .queued: counts.queued = n; counts.due = try row.get("due")
                case .running: counts.running = n
                case .done: counts.done = n
                case .failed: counts.failed = n
                case nil: break
                }
            }
            return counts
        }
    }

    /// Jobs in `state`, newest first (failed ones with their last error), at most `limit`.
    public func jobs(in state: JobState, limit: Int = 100) async throws -> [JobRecord] {
        try await database.read { db in
            try db.fetchAll("SELECT * FROM croft_jobs WHERE state = ? ORDER BY id DESC LIMIT ?", state.rawValue, limit).map(Self.record)
        }
    }

    /// One job by id, or nil.
    public func job(id: Int64) async throws -> JobRecord? {
        try await database.read { db in try db.fetchOne("SELECT * FROM croft_jobs WHERE id = ?", id).map(Self.record) }
    }

    static func record(_ row: Row) throws -> JobRecord {
        JobRecord(
            id: try row.get("id"), name: try row.get("name"),
            state: JobState(rawValue: try row.get("state")) ?? .queued,
            priority: try row.get("priority"), attempts: try row.get("attempts"), maxAttempts: try row.get("max_attempts"),
            runAt: Date(timeIntervalSince1970: try row.get("run_at")), lastError: row["last_error"],
            payload: String(decoding: try row.get("payload", as: Data.self), as: UTF8.self),
            createdAt: Date(timeIntervalSince1970: try row.get("created_at")),
            finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) })
    }

    /// Queues a failed job again, now, with a fresh set of attempts (the staff "retry" button).
    public func retry(id: Int64) async throws {
        let now = clock()
        try await database.write { db in try Self.retry(id: id, now: now, in: db) }
    }

    /// ``retry(id:)`` inside the caller's transaction (to record who pressed it in the same one).
    public static func retry(id: Int64, now: Double = Date().timeIntervalSince1970, in db: Connection) throws {
        try db.execute("""
            UPDATE croft_jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL, worker = NULL, lease_until = NULL
            WHERE id = ? AND state = 'failed'
            """, now, id)
        if db.changes == 0 { throw JobError.noSuchJob(id: id, operation: "retry") }
    }

    /// Deletes a job that is not running (the staff "delete" button).
    public func delete(id: Int64) async throws {
        try await database.write { db in try Self.delete(id: id, in: db) }
    }

    /// ``delete(id:)`` inside the caller's transaction.
    public static func delete(id: Int64, in db: Connection) throws {
        try db.execute("DELETE FROM croft_jobs WHERE id = ? AND state != 'running'", id)
        if db.changes == 0 { throw JobError.noSuchJob(id: id, operation: "delete") }
    }

    /// Deletes finished jobs older than `age` seconds; returns how many.
    @discardableResult
    public func purgeFinished(olderThan age: Double = 7 * 86_400) async throws -> Int {
        let cutoff = clock() - age
        return try await database.write { db in
            try db.execute("DELETE FROM croft_jobs WHERE state = 'done' AND finished_at < ?", cutoff)
            return db.changes
        }
    }
}
