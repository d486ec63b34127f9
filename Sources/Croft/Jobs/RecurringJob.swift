import Foundation

/// A job enqueued on a cron schedule, registered in Swift.
///
/// ```swift
/// RecurringJob("nightly-backup", schedule: "0 3 * * *", job: NightlyBackup())
/// ```
public struct RecurringJob: Sendable {
    /// The stable name: part of each run's unique key, so renaming it could double one run.
    public let name: String
    /// When it runs (UTC).
    public let schedule: CronSchedule
    /// Enqueues one run with the given unique key.
    let enqueue: @Sendable (JobQueue, String) async throws -> Void

    /// Creates a recurring job; throws ``JobError/invalidSchedule(expression:reason:)`` on a bad schedule.
    public init<J: Job>(_ name: String, schedule: String, job: J, priority: Int = 0) throws {
        self.name = name
        self.schedule = try CronSchedule(schedule)
        enqueue = { queue, key in try await queue.enqueue(job, priority: priority, uniqueKey: key) }
    }
}
