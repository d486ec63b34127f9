/// A snapshot of a ``DatabasePool``'s load, for a dashboard or a health endpoint.
///
/// Write latency under contention is queueing time, so the wait percentiles are the number to
/// watch: when p99 grows, writes are arriving faster than the writer commits them.
public struct PoolStatistics: Sendable, CustomStringConvertible {
    /// Writes queued on the writer that have not started yet.
    public let writeQueueDepth: Int
    /// Writes that have started since the pool opened.
    public let writesStarted: Int
    /// Reads waiting for a free reader connection.
    public let readQueueDepth: Int
    /// The number of reader connections.
    public let readerCount: Int
    /// Median time a recent write waited in the queue before it started, in seconds.
    public let writeWaitP50: Double
    /// 99th percentile of that wait, in seconds.
    public let writeWaitP99: Double
    /// How many recent waits the percentiles are computed over.
    public let writeWaitSampleCount: Int

    /// One line: depth, counts and wait percentiles in milliseconds.
    public var description: String {
        let p50 = (writeWaitP50 * 1_000_000).rounded() / 1000
        let p99 = (writeWaitP99 * 1_000_000).rounded() / 1000
        return "writes queued=\(writeQueueDepth) started=\(writesStarted) wait p50=\(p50)ms p99=\(p99)ms "
            + "(n=\(writeWaitSampleCount)); reads queued=\(readQueueDepth) readers=\(readerCount)"
    }
}
