import Foundation

/// The durable job queue: a `croft_jobs` table in the main database.
///
/// The framework creates the table itself (`CREATE TABLE IF NOT EXISTS`, idempotent and safe from several
/// processes) rather than through a site migration: its schema belongs to the framework version, every
/// site and test gets it without registering anything, and `app migrate --revert` can never drop it from
/// under running workers. It lives in the main database (not the cache) so jobs are backed up with the
/// data they refer to, and so enqueueing can share a transaction with the write that causes it.
///
/// Claiming is one `UPDATE ... RETURNING` in the writer's `BEGIN IMMEDIATE` transaction, which SQLite
/// serializes across processes: a queued job goes to exactly one worker per attempt. The worker holds a
/// lease (`lease_until`) that it renews while the job runs; if it dies, the lease expires and the job is
/// claimed again as a new attempt.
public struct JobQueue: Sendable {
    /// The table's name.
    public static let tableName = "croft_jobs"
    /// The database the queue lives in.
    public let database: DatabasePool
    /// The backoff between attempts.
    public var retryPolicy: RetryPolicy
    /// The current time in seconds since 1970 (injectable so due times, leases and backoff can be tested
    /// without sleeping). Every time the queue's methods store or compare (`run_at`, `lease_until`,
    /// `created_at`, `finished_at`) comes from it, and so do the lease renewals of a ``JobWorker`` and the
    /// ticks of a ``JobScheduler`` working this queue.
    let clock: @Sendable () -> Double

    /// Opens the queue on `database`, creating the table and its indexes when missing.
    public init(database: DatabasePool, retryPolicy: RetryPolicy = RetryPolicy(),
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.database = database
        self.retryPolicy = retryPolicy
        self.clock = clock
        try database.writeSync { db in try Self.createTable(db) }
    }

    /// Creates `croft_jobs` if it does not exist.
    public static func createTable(_ db: Connection) throws {
        try db.executeScript("""
            CREATE TABLE IF NOT EXISTS croft_jobs (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                payload BLOB NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
                priority INTEGER NOT NULL DEFAULT 0,
                run_at REAL NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL DEFAULT 5,
                lease_until REAL,
                worker TEXT,
                last_error TEXT,
                unique_key TEXT UNIQUE,
                created_at REAL NOT NULL,
                finished_at REAL
            );
            CREATE INDEX IF NOT EXISTS croft_jobs_due ON croft_jobs (state, priority DESC, run_at, id);
            CREATE INDEX IF NOT EXISTS croft_jobs_lease ON croft_jobs (lease_until) WHERE state = 'running';
            """)
    }

    // MARK: Enqueueing

    /// Adds `job` to the queue, to run at `runAt` (now by default); higher `priority` runs first.
    ///
    /// `uniqueKey` makes the insert a no-op when a job with that key already exists (recurring jobs use
    /// it so two schedulers do not enqueue the same run twice); the result is then nil.
    @discardableResult
    public func enqueue<J: Job>(_ job: J, at runAt: Date? = nil, priority: Int = 0, maxAttempts: Int? = nil,
                                uniqueKey: String? = nil) async throws -> Int64? {
        let payload = try JSONEncoder().encode(job)
        let attempts = maxAttempts ?? J.maxAttempts
        let now = clock()
        let runAt = runAt?.timeIntervalSince1970 ?? now
        return try await database.write { db in
            try Self.insert(db, name: J.name, payload: payload, runAt: runAt, priority: priority,
                            maxAttempts: attempts, uniqueKey: uniqueKey, createdAt: now)
        }
    }

    /// Adds `job` inside a write the caller already holds, so the job exists only if that write commits.
    ///
    /// A static function has no queue and so no injected clock: `created_at`, and `run_at` when `runAt`
    /// is nil, are the system time.
    @discardableResult
    public static func enqueue<J: Job>(_ job: J, in db: Connection, at runAt: Date? = nil, priority: Int = 0,
                                       uniqueKey: String? = nil) throws -> Int64? {
        let now = Date().timeIntervalSince1970
        return try insert(db, name: J.name, payload: try JSONEncoder().encode(job), runAt: runAt?.timeIntervalSince1970 ?? now,
                          priority: priority, maxAttempts: J.maxAttempts, uniqueKey: uniqueKey, createdAt: now)
    }

    static func insert(_ db: Connection, name: String, payload: Data, runAt: Double, priority: Int,
                       maxAttempts: Int, uniqueKey: String?, createdAt: Double) throws -> Int64? {
        try db.execute("""
            INSERT INTO croft_jobs (name, payload, priority, run_at, max_attempts, unique_key, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING
            """, name, payload, priority, runAt, max(1, maxAttempts), uniqueKey, createdAt)
        return db.changes > 0 ? db.lastInsertedRowID : nil
    }

    // MARK: Claiming and finishing

    /// Claims up to `limit` due jobs for `worker` with a lease of `lease` seconds, highest priority first.
    ///
    /// Jobs whose lease expired (their worker died) are claimed again as a new attempt, or marked failed
    /// when they had no attempts left.
    public func claim(worker: String, limit: Int, lease: Double) async throws -> [ClaimedJob] {
        let now = clock()
        return try await database.write { db in
            try db.execute("""
                UPDATE croft_jobs SET state = 'failed', finished_at = ?1, worker = NULL, lease_until = NULL,
                    last_error = 'the worker running attempt ' || attempts || ' stopped (lease expired); no attempts left'
                WHERE state = 'running' AND lease_until < ?1 AND attempts >= max_attempts
                """, now)
            return try db.fetchAll("""
                UPDATE croft_jobs SET state = 'running', attempts = attempts + 1, lease_until = ?1 + ?2, worker = ?3
                WHERE id IN (
                    SELECT id FROM croft_jobs
                    WHERE (state = 'queued' AND run_at <= ?1) OR (state = 'running' AND lease_until < ?1)
                    ORDER BY priority DESC, run_at, id LIMIT ?4)
                RETURNING id, name, payload, attempts, max_attempts
                """, now, lease, worker, limit).map { row in
                ClaimedJob(id: try row.get("id"), name: try row.get("name"), payload: try row.get("payload"),
                           attempt: try row.get("attempts"), maxAttempts: try row.get("max_attempts"))
            }
        }
    }

    /// Extends the leases of `ids` held by `worker`; returns how many it still holds.
    @discardableResult
    public func renewLeases(worker: String, ids: [Int64], lease: Double) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let until = clock() + lease
        let list = ids.map(String.init).joined(separator: ",")  // integers only: not user input
        return try await database.write { db in
            try db.execute("UPDATE croft_jobs SET lease_until = ? WHERE state = 'running' AND worker = ? AND id IN (\(list))", until, worker)
            return db.changes
        }
    }

    /// Marks a claimed job done; false when `worker` no longer held it (its lease had been taken over).
    /// With `erasingPayload`, the payload becomes `{}` (it held a secret, such as an emailed link).
    @discardableResult
    public func complete(_ job: ClaimedJob, worker: String, erasingPayload: Bool = false) async throws -> Bool {
        let now = clock()
        return try await database.write { db in
            try db.execute("""
                UPDATE croft_jobs SET state = 'done', finished_at = ?, lease_until = NULL, last_error = NULL,
                    payload = CASE WHEN ? THEN CAST('{}' AS BLOB) ELSE payload END
                WHERE id = ? AND worker = ? AND attempts = ? AND state = 'running'
                """, now, erasingPayload, job.id, worker, job.attempt)
            return db.changes > 0
        }
    }

    /// Records a failed attempt: back to `queued` after the backoff delay, or `failed` when no attempts are
    /// left or the failure is `permanent` (retrying cannot help).
    @discardableResult
    public func fail(_ job: ClaimedJob, worker: String, error: String, permanent: Bool = false) async throws -> JobState {
        let now = clock()
        let isFinal = permanent || job.attempt >= job.maxAttempts
        let runAt = now + retryPolicy.delay(afterAttempt: job.attempt)
        let message = String(error.prefix(4000))
        return try await database.write { db in
            try db.execute("""
                UPDATE croft_jobs SET state = ?, run_at = ?, last_error = ?, lease_until = NULL, worker = NULL,
                    finished_at = ?
                WHERE id = ? AND worker = ? AND attempts = ? AND state = 'running'
                """, isFinal ? "failed" : "queued", isFinal ? now : runAt, message, isFinal ? now : nil,
                job.id, worker, job.attempt)
            return isFinal ? .failed : .queued
        }
    }

    /// Puts jobs `worker` still holds back in the queue without counting the attempt (graceful stop).
    public func release(worker: String, ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let list = ids.map(String.init).joined(separator: ",")
        try await database.write { db in
            try db.execute("""
                UPDATE croft_jobs SET state = 'queued', attempts = max(0, attempts - 1), lease_until = NULL, worker = NULL
                WHERE state = 'running' AND worker = ? AND id IN (\(list))
                """, worker)
        }
    }
}
