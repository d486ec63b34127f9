/// The outcome of a checkpoint: the three numbers `PRAGMA wal_checkpoint` returns.
public struct CheckpointResult: Sendable, Equatable {
    /// True when the checkpoint could not finish because of other connections.
    public let wasBlocked: Bool
    /// Frames in the WAL.
    public let walFrames: Int
    /// Frames copied back into the database file.
    public let checkpointedFrames: Int
}
