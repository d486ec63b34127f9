import Foundation

/// One row of the queue as the staff pages show it.
public struct JobRecord: Sendable, Codable, Equatable {
    /// The row id.
    public let id: Int64
    /// The registered name.
    public let name: String
    /// The state.
    public let state: JobState
    /// Higher runs first.
    public let priority: Int
    /// Attempts made so far.
    public let attempts: Int
    /// Attempts allowed.
    public let maxAttempts: Int
    /// When it may run (next).
    public let runAt: Date
    /// The error of the last failed attempt, if any.
    public let lastError: String?
    /// The payload as JSON text.
    public let payload: String
    /// When it was enqueued.
    public let createdAt: Date
    /// When it finished (done or failed).
    public let finishedAt: Date?
}
