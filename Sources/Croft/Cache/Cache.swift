import Foundation
import Synchronization

/// A key-value cache in its own SQLite file (`data/cache.sqlite3`): shared by every process of the site,
/// survives restarts, and is never backed up (it is ephemeral by design).
///
/// Values are `Codable`, stored as JSON. Entries expire after their TTL; once more than
/// ``maxEntries`` are stored, expired entries and then the least recently written ones are culled.
///
/// ```swift
/// let cache = try Cache(path: "data/cache.sqlite3")
/// try await cache.set("greeting", "hello", ttl: .seconds(60))
/// let greeting = try await cache.get("greeting", as: String.self)
/// let stats = try await cache.getOrSet("stats", ttl: .seconds(300)) { try await computeStats() }
/// ```
public final class Cache: Sendable {
    /// The table the entries live in.
    public static let tableName = "croft_cache"
    /// The pool on the cache file.
    public let pool: DatabasePool
    /// The most entries kept; past it, a cull removes expired entries and then the oldest tenth.
    public let maxEntries: Int
    /// How many writes happen between two culls (a cull counts rows, so it is not done on every write).
    public let cullEvery: Int
    /// The current time in seconds since 1970 (injectable so expiry can be tested without sleeping).
    let clock: @Sendable () -> Double
    private let writesSinceCull = Atomic<Int>(0)
    /// Computations of ``getOrSet(_:ttl:compute:)`` in progress, by key: later callers await the first.
    private let inFlight = Mutex<[String: Task<Data, any Error>]>([:])

    /// Opens (creating if needed) the cache database at `path`.
    ///
    /// The cache gets the production pragmas except `synchronous=OFF`: losing the last writes of a cache
    /// on power loss is harmless, and it saves an fsync per checkpoint.
    public init(path: String, maxEntries: Int = 10_000, cullEvery: Int? = nil,
                configuration: DatabaseConfiguration = Cache.defaultConfiguration,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        pool = try DatabasePool(path: path, configuration: configuration)
        self.maxEntries = max(1, maxEntries)
        self.cullEvery = cullEvery ?? max(1, min(1000, maxEntries / 10))
        try pool.writeSync { db in
            try db.execute("""
                CREATE TABLE IF NOT EXISTS \(Self.tableName) (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    expires_at REAL
                )
                """)
            try db.execute("CREATE INDEX IF NOT EXISTS croft_cache_expires ON \(Self.tableName)(expires_at) WHERE expires_at IS NOT NULL")
        }
    }

    /// The cache's pragmas: the production set with `synchronous=OFF` and two readers.
    public static var defaultConfiguration: DatabaseConfiguration {
        var configuration = DatabaseConfiguration()
        configuration.synchronous = .off
        configuration.readerCount = 2
        return configuration
    }

    func expiry(_ ttl: Duration?) -> Double? {
        guard let ttl else { return nil }
        let (seconds, attoseconds) = ttl.components
        return clock() + Double(seconds) + Double(attoseconds) / 1e18
    }

    // MARK: Reading and writing

    /// The value stored at `key`, or nil when it is missing, expired, or does not decode as `type`.
    public func get<T: Decodable & Sendable>(_ key: String, as type: T.Type = T.self) async throws -> T? {
        guard let data = try await getData(key) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    /// The raw JSON bytes stored at `key`, or nil when missing or expired.
    public func getData(_ key: String) async throws -> Data? {
        let now = clock()
        return try await pool.read { db in
            try db.fetchValue(Data.self, "SELECT value FROM \(Self.tableName) WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)", key, now)
        }
    }

    /// Stores `value` at `key` for `ttl` (nil: until culled or deleted), replacing what was there.
    public func set<T: Encodable & Sendable>(_ key: String, _ value: T, ttl: Duration? = nil) async throws {
        try await setData(key, try JSONEncoder().encode(value), ttl: ttl)
    }

    /// Stores JSON bytes at `key`.
    public func setData(_ key: String, _ data: Data, ttl: Duration? = nil) async throws {
        let expires = expiry(ttl)
        try await pool.write { db in
            // REPLACE deletes and re-inserts, so rowid order is write order: the cull removes the oldest writes.
            try db.execute("REPLACE INTO \(Self.tableName) (key, value, expires_at) VALUES (?, ?, ?)", key, data, expires)
        }
        try await cullIfDue()
    }

    /// Removes `key`; true when it was there.
    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute("DELETE FROM \(Self.tableName) WHERE key = ?", key)
            return db.changes > 0
        }
    }

    /// Adds `delta` to the integer at `key` (a missing or expired entry counts as 0) and returns the result.
    ///
    /// Atomic across processes: one statement on the writer. A new entry gets `ttl`; an existing one keeps
    /// its expiry, so a rate-limit window does not slide.
    @discardableResult
    public func increment(_ key: String, by delta: Int = 1, ttl: Duration? = nil) async throws -> Int {
        let expires = expiry(ttl)
        let now = clock()
        return try await pool.write { db in
            try db.fetchValue(Int.self, """
                INSERT INTO \(Self.tableName) (key, value, expires_at) VALUES (?1, CAST(?2 AS TEXT), ?3)
                ON CONFLICT(key) DO UPDATE SET
                    value = CASE WHEN expires_at IS NOT NULL AND expires_at <= ?4 THEN CAST(?2 AS TEXT)
                                 ELSE CAST(CAST(CAST(value AS TEXT) AS INTEGER) + ?2 AS TEXT) END,
                    expires_at = CASE WHEN expires_at IS NOT NULL AND expires_at <= ?4 THEN ?3 ELSE expires_at END
                RETURNING CAST(CAST(value AS TEXT) AS INTEGER)
                """, key, delta, expires, now) ?? delta
        }
    }

    /// The value at `key`, computing and storing it when missing. Concurrent callers for the same key in
    /// this process share one computation: `compute` runs once, the others await its result.
    public func getOrSet<T: Codable & Sendable>(
        _ key: String, ttl: Duration? = nil, compute: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        if let data = try await getData(key), let value = try? JSONDecoder().decode(T.self, from: data) {
            return value
        }
        let (task, isOwner) = inFlight.withLock { running -> (Task<Data, any Error>, Bool) in
            if let task = running[key] { return (task, false) }
            let task = Task<Data, any Error> { [self] in
                // Another caller may have stored it between our miss and taking the lock.
                if let data = try await getData(key), (try? JSONDecoder().decode(T.self, from: data)) != nil {
                    return data
                }
                let data = try JSONEncoder().encode(try await compute())
                try await setData(key, data, ttl: ttl)
                return data
            }
            running[key] = task
            return (task, true)
        }
        defer { if isOwner { inFlight.withLock { _ = $0.removeValue(forKey: key) } } }
        let data = try await task.value
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Removes every entry.
    public func clear() async throws {
        try await pool.write { db in try db.execute("DELETE FROM \(Self.tableName)") }
    }

    /// ``clear()`` for synchronous code (the CLI).
    public func clearSync() throws {
        try pool.writeSync { db in try db.execute("DELETE FROM \(Self.tableName)") }
    }

    /// The number of stored entries, expired ones included until culled.
    public func count() async throws -> Int {
        try await pool.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM \(Self.tableName)") ?? 0 }
    }

    // MARK: Culling

    private func cullIfDue() async throws {
        guard writesSinceCull.add(1, ordering: .relaxed).newValue >= cullEvery else { return }
        writesSinceCull.store(0, ordering: .relaxed)
        try await cull()
    }

    /// Deletes expired entries; then, while more than ``maxEntries`` remain, the oldest written tenth.
    /// Returns how many entries were removed.
    @discardableResult
    public func cull() async throws -> Int {
        let now = clock()
        let maxEntries = self.maxEntries
        return try await pool.write { db in try Self.cull(db, now: now, maxEntries: maxEntries) }
    }

    /// ``cull()`` for synchronous code.
    @discardableResult
    public func cullSync() throws -> Int {
        let now = clock()
        return try pool.writeSync { db in try Self.cull(db, now: now, maxEntries: maxEntries) }
    }

    static func cull(_ db: Connection, now: Double, maxEntries: Int) throws -> Int {
        try db.execute("DELETE FROM \(tableName) WHERE expires_at IS NOT NULL AND expires_at <= ?", now)
        var removed = db.changes
        let count = try db.fetchValue(Int.self, "SELECT count(*) FROM \(tableName)") ?? 0
        if count > maxEntries {
            // Cull to 90% of the cap so the next few writes do not cull again at once.
            let excess = count - maxEntries + maxEntries / 10
            try db.execute("DELETE FROM \(tableName) WHERE rowid IN (SELECT rowid FROM \(tableName) ORDER BY rowid LIMIT ?)", excess)
            removed += db.changes
        }
        return removed
    }

    /// Closes the cache database.
    public func close() { pool.close() }
}
