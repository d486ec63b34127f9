import Foundation

/// A job a worker has claimed: it holds the lease until it completes, fails or lets the lease lapse.
public struct ClaimedJob: Sendable {
    /// The row id.
    public let id: Int64
    /// The registered name.
    public let name: String
    /// The JSON payload.
    public let payload: Data
    /// This attempt's number (1 for the first run).
    public let attempt: Int
    /// Attempts allowed before the job fails for good.
    public let maxAttempts: Int
}
