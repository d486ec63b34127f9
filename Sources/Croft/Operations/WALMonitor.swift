import Foundation

/// Keeps the WAL small in a long-running process: a passive checkpoint every ``interval``, a truncating
/// one when no write happened since the last look, and a warning when the WAL passes ``warningBytes``
/// or a checkpoint cannot finish because a reader pins an old snapshot.
///
/// SQLite checkpoints on its own at 1000 pages, but a checkpoint cannot pass a reader that started before
/// it, so a long read (or a stuck one) lets the WAL grow without bound. https://sqlite.org/wal.html#avoiding_excessively_large_wal_files
public struct WALMonitor: Sendable {
    /// The database watched.
    public let database: DatabasePool
    /// Time between two looks.
    public let interval: Duration
    /// WAL size above which a warning is logged.
    public let warningBytes: Int64
    let logger: Logger

    /// Creates a monitor; ``run()`` loops until its task is cancelled.
    public init(database: DatabasePool, interval: Duration = .seconds(60), warningBytes: Int64 = 64 * 1024 * 1024,
                logger: Logger = Logger(label: "croft.wal")) {
        self.database = database
        self.interval = interval
        self.warningBytes = warningBytes
        self.logger = logger
    }

    /// What one look did.
    public enum Outcome: Sendable, Equatable {
        /// A passive checkpoint ran (writes were happening).
        case passive(CheckpointResult)
        /// The database was idle: the WAL was truncated.
        case truncated(CheckpointResult)
    }

    /// Looks every ``interval`` until cancelled.
    public func run() async {
        var lastWrites = database.statistics.writesStarted
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled || database.closed { return }
            let writes = database.statistics.writesStarted
            _ = try? await tick(idle: writes == lastWrites && database.writeQueueDepth == 0)
            lastWrites = database.statistics.writesStarted
        }
    }

    /// One look: checkpoint (truncating when `idle`), then warn about size or a pinned WAL.
    @discardableResult
    public func tick(idle: Bool) async throws -> Outcome {
        let result = try await database.checkpoint(idle ? .truncate : .passive)
        let walBytes = Doctor.fileSize(database.path + "-wal")
        if result.wasBlocked || result.checkpointedFrames < result.walFrames {
            logger.warning("WAL checkpoint could not finish (\(result.checkpointedFrames) of \(result.walFrames) frames): a reader holds an old snapshot; look for long-running reads")
        }
        if walBytes > warningBytes {
            logger.warning("the WAL is \(Doctor.megabytes(walBytes)) (over \(Doctor.megabytes(warningBytes))): a reader may be pinning it, or writes outpace checkpoints")
        }
        return idle ? .truncated(result) : .passive(result)
    }
}
