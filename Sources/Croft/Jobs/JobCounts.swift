/// How many jobs are in each state, plus how many queued ones are due now: the `/staff/jobs/` summary.
public struct JobCounts: Sendable, Codable, Equatable {
    /// Waiting (due or scheduled later).
    public var queued = 0
    /// Queued and due now: a number that keeps growing means workers are missing or too few.
    public var due = 0
    /// Running under a lease.
    public var running = 0
    /// Finished.
    public var done = 0
    /// Failed for good.
    public var failed = 0

    /// All zero.
    public init() {}
}
