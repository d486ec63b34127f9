import Dispatch
import Synchronization

/// One writer and several readers on one SQLite file: the way an app talks to its database.
///
/// Writes are serialized in-process on the writer, first come first served, each in
/// `BEGIN IMMEDIATE`, so they never sleep in SQLite's busy handler. Reads run concurrently on the
/// readers, each closure in one deferred transaction so all its statements see one snapshot.
/// Closures run on the pool's own serial queues, never on Swift's cooperative thread pool.
///
/// ```swift
/// let db = try DatabasePool(path: "data/db.sqlite3")
/// try await db.write { db in try db.execute("INSERT INTO notes (title) VALUES (?)", "Hi") }
/// let count = try await db.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM notes") ?? 0 }
/// try db.close()   // PRAGMA optimize + wal_checkpoint(TRUNCATE)
/// ```
public final class DatabasePool: Sendable {
    /// The database file path.
    public let path: String
    /// The configuration every connection was opened with.
    public let configuration: DatabaseConfiguration
    let writer: ConnectionWorker
    let readers: [ConnectionWorker]
    private let readerSlots: ReaderSlots
    private let isClosed = Atomic<Bool>(false)
    private let queuedWrites = Atomic<Int>(0)
    private let startedWrites = Atomic<Int>(0)
    /// Recent time spent by writes in the queue, for ``statistics``.
    private let writeWaits: Mutex<WaitSampleRing>

    /// Opens the writer (creating the file and switching it to WAL) and the first reader; the other
    /// readers open when concurrent reads first need them.
    ///
    /// Throws ``DatabaseOpenError`` naming the path when the file cannot be opened or written.
    public init(path: String, configuration: DatabaseConfiguration = DatabaseConfiguration()) throws {
        guard path != ":memory:", !path.isEmpty else {
            // Every ":memory:" connection is its own database, so readers would never see the writer's data.
            throw DatabaseOpenError(path: path, reason: "a pool needs a database file; use Connection(path: \":memory:\") for a private in-memory database")
        }
        self.path = path
        self.configuration = configuration
        let writerConnection = try Connection(path: path, configuration: configuration, role: .writer)
        writer = ConnectionWorker(connection: writerConnection, label: "croft.sql.writer")
        // The first reader opens now, so a file readers cannot open fails at start-up; the others
        // open on first use. Readers are handed out lowest index first, so an app that never reads
        // concurrently never opens them, and saves their page caches and file handles.
        let firstReader = try Connection(path: path, configuration: configuration, role: .reader)
        var readers = [ConnectionWorker(connection: firstReader, label: "croft.sql.reader.0")]
        for index in 1..<configuration.effectiveReaderCount {
            readers.append(ConnectionWorker(label: "croft.sql.reader.\(index)") {
                try Connection(path: path, configuration: configuration, role: .reader)
            })
        }
        self.readers = readers
        readerSlots = ReaderSlots(count: readers.count)
        writeWaits = Mutex(WaitSampleRing(capacity: configuration.waitSampleCapacity))
    }

    // MARK: Writing

    /// Runs `body` on the writer in a `BEGIN IMMEDIATE` transaction; a throw rolls it back.
    ///
    /// Writes wait their turn in-process (FIFO), so a write never sees `SQLITE_BUSY` from another
    /// write of this pool. The closure runs on the writer's queue; keep it short.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueueWrite(transactional: true, body) { continuation.resume(with: $0) }
        }
    }

    /// Runs `body` on the writer with no transaction around it: for `VACUUM`, checkpoints,
    /// `PRAGMA foreign_keys` changes and migrations, which manage their own transactions.
    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueueWrite(transactional: false, body) { continuation.resume(with: $0) }
        }
    }

    /// ``write(_:)`` for synchronous code (the CLI, startup): blocks the calling thread.
    public func writeSync<T>(_ body: (Connection) throws -> T) throws -> T {
        try runWriteSync(transactional: true, body)
    }

    /// ``writeWithoutTransaction(_:)`` for synchronous code: blocks the calling thread.
    public func writeWithoutTransactionSync<T>(_ body: (Connection) throws -> T) throws -> T {
        try runWriteSync(transactional: false, body)
    }

    private func enqueueWrite<T: Sendable>(
        transactional: Bool,
        _ body: @escaping @Sendable (Connection) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        guard !isClosed.load(ordering: .acquiring) else {
            return completion(.failure(SQLiteError.misuse("the database pool is closed")))
        }
        let enqueuedAt = DispatchTime.now().uptimeNanoseconds
        queuedWrites.add(1, ordering: .relaxed)
        writer.queue.async { [self] in
            writeStarted(enqueuedAt: enqueuedAt)
            completion(Result { try runWrite(transactional: transactional, body) })
        }
    }

    private func runWriteSync<T>(transactional: Bool, _ body: (Connection) throws -> T) throws -> T {
        guard !isClosed.load(ordering: .acquiring) else { throw SQLiteError.misuse("the database pool is closed") }
        guard !writer.isCurrent else {
            throw SQLiteError.misuse("writeSync called from inside a write closure; use the connection you were given")
        }
        let enqueuedAt = DispatchTime.now().uptimeNanoseconds
        queuedWrites.add(1, ordering: .relaxed)
        return try writer.queue.sync {
            writeStarted(enqueuedAt: enqueuedAt)
            return try runWrite(transactional: transactional, body)
        }
    }

    private func writeStarted(enqueuedAt: UInt64) {
        let waited = DispatchTime.now().uptimeNanoseconds &- enqueuedAt
        queuedWrites.subtract(1, ordering: .relaxed)
        startedWrites.add(1, ordering: .relaxed)
        writeWaits.withLock { $0.record(waited) }
    }

    private func runWrite<T>(transactional: Bool, _ body: (Connection) throws -> T) throws -> T {
        try writer.run { connection in
            transactional ? try connection.transaction(.immediate, body) : try body(connection)
        }
    }

    // MARK: Reading

    /// Runs `body` on a free reader inside one deferred transaction: a consistent snapshot.
    ///
    /// Reads run concurrently with each other and with the writer (WAL). Readers are
    /// `query_only`, so a write here fails with an error instead of racing the writer.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueueRead(transactional: true, body) { continuation.resume(with: $0) }
        }
    }

    /// ``read(_:)`` for synchronous code: blocks the calling thread until a reader is free.
    public func readSync<T>(_ body: (Connection) throws -> T) throws -> T {
        guard !isClosed.load(ordering: .acquiring) else { throw SQLiteError.misuse("the database pool is closed") }
        guard !readers.contains(where: \.isCurrent) else {
            throw SQLiteError.misuse("readSync called from inside a read closure; use the connection you were given")
        }
        let slot = Mutex<Int?>(nil)
        let ready = DispatchSemaphore(value: 0)
        readerSlots.acquire { index in
            slot.withLock { $0 = index }
            ready.signal()
        }
        ready.wait()
        let index = slot.withLock { $0! }
        defer { readerSlots.release(index) }
        let worker = readers[index]
        return try worker.queue.sync {
            try worker.run { connection in try connection.transaction(.deferred, body) }
        }
    }

    func enqueueRead<T: Sendable>(
        transactional: Bool,
        _ body: @escaping @Sendable (Connection) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        guard !isClosed.load(ordering: .acquiring) else {
            return completion(.failure(SQLiteError.misuse("the database pool is closed")))
        }
        readerSlots.acquire { [self] index in
            let worker = readers[index]
            worker.queue.async { [self] in
                let result = Result {
                    try worker.run { connection in
                        transactional ? try connection.transaction(.deferred, body) : try body(connection)
                    }
                }
                readerSlots.release(index)
                completion(result)
            }
        }
    }

    // MARK: Statistics and closing

    /// Writes queued on the writer that have not started yet (cheap; for gauges and load shedding).
    public var writeQueueDepth: Int { queuedWrites.load(ordering: .relaxed) }

    /// Load figures: write queue depth and recent write wait percentiles.
    public var statistics: PoolStatistics {
        let (p50, p99, count) = writeWaits.withLock { ($0.percentile(0.5), $0.percentile(0.99), $0.count) }
        return PoolStatistics(
            writeQueueDepth: queuedWrites.load(ordering: .relaxed),
            writesStarted: startedWrites.load(ordering: .relaxed),
            readQueueDepth: readerSlots.waitingCount,
            readerCount: readers.count,
            writeWaitP50: Double(p50) / 1e9,
            writeWaitP99: Double(p99) / 1e9,
            writeWaitSampleCount: count
        )
    }

    /// Work already queued finishes; then readers close, and the writer runs `PRAGMA optimize`
    /// (with `analysis_limit=400`, also analyzing what the readers' queries would benefit from)
    /// and `wal_checkpoint(TRUNCATE)` before closing, leaving a small, tidy file.
    ///
    /// https://sqlite.org/pragma.html#pragma_optimize and https://sqlite.org/pragma.html#pragma_wal_checkpoint
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var analyze: [String] = []
        for reader in readers {
            reader.queue.sync {
                analyze += (try? reader.runIfOpen { try $0.pendingAnalyzeStatements() }) ?? []
                reader.close()
            }
        }
        writer.queue.sync {
            writer.close { connection in
                try? connection.optimize(alsoAnalyzing: analyze)
                try? connection.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
    }

    /// True once ``close()`` has been called.
    public var closed: Bool { isClosed.load(ordering: .acquiring) }
}
