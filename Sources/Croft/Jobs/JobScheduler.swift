import Foundation
import Synchronization

/// Enqueues ``RecurringJob``s when their schedule comes due.
///
/// Every worker process may run a scheduler: each run is enqueued with the unique key
/// `recurring:<name>:<minute>`, so however many schedulers see the same minute, the job is queued once.
/// A scheduler that was down for a while enqueues only the latest missed run of each job, not every one.
public final class JobScheduler: Sendable {
    /// The registered recurring jobs.
    public let jobs: [RecurringJob]
    /// How often ``tickIfDue(queue:logger:)`` actually looks at the schedules.
    public let checkInterval: Double
    /// The end of the last minute range looked at, and when.
    private let state: Mutex<(through: Date, checkedAt: Date)>

    /// Creates a scheduler that considers minutes from `start` onwards (the system time by default: with a
    /// queue on another clock, pass that clock's time).
    public init(jobs: [RecurringJob], start: Date = Date(), checkInterval: Double = 15) {
        self.jobs = jobs
        self.checkInterval = checkInterval
        state = Mutex((start, .distantPast))
    }

    /// Runs ``tick(queue:now:)`` when ``checkInterval`` has passed since the last look, both read from the
    /// queue's clock.
    public func tickIfDue(queue: JobQueue, logger: Logger) async {
        let now = Date(timeIntervalSince1970: queue.clock())
        let due = state.withLock { state -> Bool in
            guard now.timeIntervalSince(state.checkedAt) >= checkInterval else { return false }
            state.checkedAt = now
            return true
        }
        guard due else { return }
        do { try await tick(queue: queue, now: now) } catch {
            logger.error("could not enqueue recurring jobs: \(error)")
        }
    }

    /// Enqueues each job whose schedule matched a minute since the last tick (up to `now`); returns their names.
    @discardableResult
    public func tick(queue: JobQueue, now: Date) async throws -> [String] {
        let from = state.withLock { state -> Date in
            let from = state.through
            state.through = max(state.through, now)
            return from
        }
        var enqueued: [String] = []
        for job in jobs {
            guard let minute = Self.latestMatch(of: job.schedule, after: from, through: now) else { continue }
            try await job.enqueue(queue, "recurring:\(job.name):\(Int(minute.timeIntervalSince1970))")
            enqueued.append(job.name)
        }
        return enqueued
    }

    /// The latest minute in `(from, through]` that `schedule` matches, looking back at most a day.
    static func latestMatch(of schedule: CronSchedule, after from: Date, through: Date) -> Date? {
        let lowest = max(from.timeIntervalSince1970, through.timeIntervalSince1970 - 86_400)
        var minute = (through.timeIntervalSince1970 / 60).rounded(.down) * 60
        while minute > lowest {
            let candidate = Date(timeIntervalSince1970: minute)
            if schedule.matches(candidate) { return candidate }
            minute -= 60
        }
        return nil
    }
}
