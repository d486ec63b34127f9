/// Where a job is in its life: queued (maybe for later), running under a lease, done, or failed for good.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its `run_at` time and a free worker (also after a failed attempt, with backoff).
    case queued
    /// Claimed by a worker whose lease has not expired.
    case running
    /// Finished without error.
    case done
    /// Threw on its last allowed attempt; keeps the last error. Retry or delete it from `/staff/jobs/`.
    case failed
}
