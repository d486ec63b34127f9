extension DatabasePool {
    /// Copies the database to `path` with the online backup API, from a reader: writes go on.
    ///
    /// Use this (or `VACUUM INTO`), never a file copy, which can capture a torn database.
    /// https://sqlite.org/backup.html
    public func backup(to path: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueueRead(transactional: false, { try $0.backup(to: path) }) { continuation.resume(with: $0) }
        }
    }

    /// ``backup(to:)`` for synchronous code (the CLI, the migrator): runs on the writer queue.
    public func backupSync(to path: String) throws {
        try writeWithoutTransactionSync { try $0.backup(to: path) }
    }

    /// Runs `PRAGMA optimize` for every open connection; call it every few hours in a long-running server.
    ///
    /// Readers are `query_only`, so each one only reports the `ANALYZE` its queries would benefit
    /// from (optimize's debug mode); the writer runs those, then its own `PRAGMA optimize`, under
    /// `analysis_limit=400`. It only analyzes tables whose statistics look stale, so it is cheap
    /// when nothing changed. https://sqlite.org/pragma.html#pragma_optimize
    public func optimize() async throws {
        var analyze: [String] = []
        for reader in readers {
            analyze += try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], any Error>) in
                // The reader's own serial queue: between read closures, so never inside a transaction.
                reader.queue.async {
                    continuation.resume(with: Result { try reader.runIfOpen { try $0.pendingAnalyzeStatements() } ?? [] })
                }
            }
        }
        try await writeWithoutTransaction { [analyze] db in try db.optimize(alsoAnalyzing: analyze) }
    }

    /// Checkpoints the WAL into the database file; `.truncate` also shrinks the WAL to zero.
    ///
    /// SQLite checkpoints automatically; call this before a backup by file system snapshot, or
    /// to reclaim a WAL that grew during a burst. https://sqlite.org/pragma.html#pragma_wal_checkpoint
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode = .passive) async throws -> CheckpointResult {
        try await writeWithoutTransaction { db in
            guard let row = try db.fetchOne("PRAGMA wal_checkpoint(\(mode.rawValue))") else {
                return CheckpointResult(wasBlocked: false, walFrames: 0, checkpointedFrames: 0)
            }
            return CheckpointResult(wasBlocked: try row.get(0, as: Int.self) != 0,
                                    walFrames: try row.get(1, as: Int.self),
                                    checkpointedFrames: try row.get(2, as: Int.self))
        }
    }
}
