import Foundation
import Testing
@testable import Croft

@Suite struct JobQueueTests {
    let directory: OperationsDirectory
    let database: DatabasePool
    /// The queues' time: the tests move it instead of sleeping until a backoff, lease or due time passes.
    let clock = TestClock()

    init() throws {
        directory = try OperationsDirectory()
        database = try DatabasePool(path: directory.file("db.sqlite3"))
        try database.writeSync { db in try db.execute("CREATE TABLE runs (job_id INTEGER, n INTEGER, pid INTEGER)") }
    }

    /// A queue on the test database that reads ``clock``.
    func makeQueue(retryPolicy: RetryPolicy = RetryPolicy()) throws -> JobQueue {
        try JobQueue(database: database, retryPolicy: retryPolicy, clock: { [clock] in clock.now })
    }

    /// `seconds` from the test clock's now.
    func later(_ seconds: Double) -> Date { Date(timeIntervalSince1970: clock.now + seconds) }

    var registry: JobRegistry {
        var registry = JobRegistry()
        registry.register(RecordRun.self)
        registry.register(Flaky.self)
        return registry
    }

    @Test func claimsByPriorityThenRunAtAndNeverTwice() async throws {
        let queue = try makeQueue()
        let low = try await queue.enqueue(RecordRun(n: 1))
        let high = try await queue.enqueue(RecordRun(n: 2), priority: 10)
        let scheduled = try await queue.enqueue(RecordRun(n: 3), at: later(3600))  // not due
        let first = try await queue.claim(worker: "a", limit: 1, lease: 30)
        #expect(first.map(\.id) == [high!])
        let second = try await queue.claim(worker: "b", limit: 5, lease: 30)
        #expect(second.map(\.id) == [low!])
        #expect(try await queue.claim(worker: "c", limit: 5, lease: 30).isEmpty)
        #expect(try await queue.counts() == { var c = JobCounts(); c.queued = 1; c.running = 2; return c }())
        // Its time comes (a moment early is still too early; the first two have completed by then).
        #expect(try await queue.complete(first[0], worker: "a"))
        #expect(try await queue.complete(second[0], worker: "b"))
        clock.advance(by: 3599)
        #expect(try await queue.counts().due == 0)
        #expect(try await queue.claim(worker: "c", limit: 5, lease: 30).isEmpty)
        clock.advance(by: 1)
        #expect(try await queue.counts().due == 1)
        #expect(try await queue.claim(worker: "c", limit: 5, lease: 30).map(\.id) == [scheduled!])
    }

    @Test func aFailedAttemptIsRetriedWithBackoffThenFailsKeepingTheError() async throws {
        let queue = try makeQueue(retryPolicy: RetryPolicy(base: 2, maximum: 10))
        let id = try #require(try await queue.enqueue(Flaky(succeedOnAttempt: 99)))
        let claimed = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        let before = clock.now
        #expect(try await queue.fail(claimed, worker: "w", error: "boom 1") == .queued)
        let record = try #require(try await queue.job(id: id))
        #expect(record.state == .queued && record.attempts == 1 && record.lastError == "boom 1")
        let delay = record.runAt.timeIntervalSince1970 - before
        #expect(delay >= 1 && delay <= 2)  // base 2 s × jitter in 0.5...1
        #expect(try await queue.claim(worker: "w", limit: 1, lease: 30).isEmpty)  // backing off
        clock.advance(by: 2)
        let retry = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        #expect(retry.attempt == 2)
        _ = try await queue.fail(retry, worker: "w", error: "boom 2")
        let secondDelay = try #require(try await queue.job(id: id)).runAt.timeIntervalSince1970 - clock.now
        #expect(secondDelay >= 2 && secondDelay <= 4)  // doubled: 4 s × jitter in 0.5...1
        #expect(try await queue.claim(worker: "w", limit: 1, lease: 30).isEmpty)
        clock.advance(by: 4)
        let last = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        #expect(last.attempt == 3)
        #expect(try await queue.fail(last, worker: "w", error: "boom 3") == .failed)
        let failed = try await queue.jobs(in: .failed)
        #expect(failed.map(\.id) == [id])
        #expect(failed.first?.lastError == "boom 3")
        #expect(failed.first?.finishedAt == Date(timeIntervalSince1970: clock.now))
        // Staff operations: retry gives it fresh attempts, due now; delete removes it.
        clock.advance(by: 60)
        try await queue.retry(id: id)
        #expect(try await queue.job(id: id)?.state == .queued)
        #expect(try await queue.job(id: id)?.attempts == 0)
        #expect(try await queue.job(id: id)?.runAt == Date(timeIntervalSince1970: clock.now))
        try await queue.delete(id: id)
        #expect(try await queue.job(id: id) == nil)
        await #expect(throws: JobError.noSuchJob(id: id, operation: "retry")) { try await queue.retry(id: id) }
    }

    @Test func backoffGrowsExponentiallyWithJitterUpToTheMaximum() {
        let policy = RetryPolicy(base: 2, maximum: 60)
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == 2)
        #expect(policy.delay(afterAttempt: 3, jitter: 1) == 8)
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == 4)
        #expect(policy.delay(afterAttempt: 30, jitter: 1) == 60)
    }

    @Test func anExpiredLeaseIsClaimedAgainAsANewAttempt() async throws {
        let queue = try makeQueue()
        let id = try #require(try await queue.enqueue(RecordRun(n: 1)))
        // The lease runs out on the test clock, never the wall's: a loaded machine can stall a test for
        // seconds between two awaits without the lease moving.
        let first = try #require(try await queue.claim(worker: "dead", limit: 1, lease: 30).first)
        #expect(first.attempt == 1)
        #expect(try await queue.claim(worker: "live", limit: 1, lease: 30).isEmpty)  // leased to "dead"
        clock.advance(by: 20)
        #expect(try await queue.renewLeases(worker: "dead", ids: [id], lease: 30) == 1)  // now until 50 s in
        clock.advance(by: 30)
        #expect(try await queue.claim(worker: "live", limit: 1, lease: 30).isEmpty)  // renewed, so not yet lapsed
        clock.advance(by: 1)  // "dead" stopped renewing: the lease lapses
        let second = try #require(try await queue.claim(worker: "live", limit: 1, lease: 30).first)
        #expect(second.id == id && second.attempt == 2)
        #expect(try await queue.renewLeases(worker: "dead", ids: [id], lease: 30) == 0)  // no longer its job
        #expect(try await !queue.complete(first, worker: "dead"))  // the dead worker's late result is ignored
        #expect(try await queue.complete(second, worker: "live"))
        #expect(try await queue.job(id: id)?.state == .done)
    }

    @Test func anExpiredLeaseWithNoAttemptsLeftFailsTheJob() async throws {
        let queue = try makeQueue()
        let id = try #require(try await queue.enqueue(RecordRun(n: 1), maxAttempts: 1))
        _ = try #require(try await queue.claim(worker: "dead", limit: 1, lease: 30).first)
        clock.advance(by: 30)
        #expect(try await queue.claim(worker: "live", limit: 1, lease: 30).isEmpty)  // lapses only after 30 s
        #expect(try await queue.job(id: id)?.state == .running)
        clock.advance(by: 1)
        #expect(try await queue.claim(worker: "live", limit: 1, lease: 30).isEmpty)  // no attempt left to claim
        let record = try #require(try await queue.job(id: id))
        #expect(record.state == .failed && record.attempts == 1)
        #expect(record.lastError?.contains("lease expired") == true)
        #expect(record.finishedAt == Date(timeIntervalSince1970: clock.now))
    }

    @Test func workerRunsJobsAndStopsGracefully() async throws {
        let queue = try makeQueue(retryPolicy: RetryPolicy(base: 2, maximum: 10))
        for n in 0..<20 { try await queue.enqueue(RecordRun(n: n)) }
        let flaky = try #require(try await queue.enqueue(Flaky(succeedOnAttempt: 2)))
        let worker = JobWorker(queue: queue, registry: registry, concurrency: 3, lease: 5, pollInterval: .milliseconds(10))
        let running = Task { await worker.run() }
        // The worker runs on its own: the test waits for what it has done, and moves time itself.
        try await waitUntil {
            let record = try await queue.job(id: flaky)
            return try await queue.counts().done == 20 && record?.state == .queued && record?.attempts == 1
        }
        #expect(try await queue.job(id: flaky)?.lastError == "flaky failure on attempt 1")
        #expect(try await queue.counts().due == 0)  // the retry waits out its backoff (1 to 2 s)...
        clock.advance(by: 2)
        try await waitUntil { try await queue.counts().done == 21 }  // ... and then runs
        await worker.stop(deadline: .seconds(1))
        await running.value
        #expect(try await queue.counts().done == 21)
        #expect(try await queue.job(id: flaky)?.attempts == 2)
        #expect(try await database.read { db in try db.fetchValue(Int.self, "SELECT count(DISTINCT job_id) FROM runs") } == 20)
    }

    @Test func theSchedulerLooksAtItsSchedulesEveryCheckIntervalOfTheQueuesClock() async throws {
        let queue = try makeQueue()
        let start = Date(timeIntervalSince1970: clock.now)  // 2026-01-01 00:00:00 UTC
        let scheduler = JobScheduler(jobs: [try RecurringJob("tick", schedule: "*/15 * * * *", job: RecordRun(n: 0))],
                                     start: start, checkInterval: 15)
        let logger = Logger(label: "croft.jobs.test")
        clock.advance(by: 14 * 60 + 55)
        await scheduler.tickIfDue(queue: queue, logger: logger)  // 00:14:55: nothing matched yet
        clock.advance(by: 10)
        await scheduler.tickIfDue(queue: queue, logger: logger)  // 00:15:05: only 10 s since the last look
        #expect(try await queue.counts().queued == 0)
        clock.advance(by: 5)
        await scheduler.tickIfDue(queue: queue, logger: logger)  // 00:15:10: looks, and finds 00:15
        #expect(try await queue.counts().queued == 1)
        #expect(try await queue.counts().due == 1)
    }

    @Test func recurringJobsAreEnqueuedOncePerMatchingMinute() async throws {
        let queue = try makeQueue()
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
        let job = try RecurringJob("tick", schedule: "*/15 * * * *", job: RecordRun(n: 0))
        let first = JobScheduler(jobs: [job], start: start)
        let second = JobScheduler(jobs: [job], start: start)  // another process with the same schedule
        #expect(try await first.tick(queue: queue, now: start.addingTimeInterval(10 * 60)).isEmpty)
        #expect(try await first.tick(queue: queue, now: start.addingTimeInterval(15 * 60 + 5)) == ["tick"])
        _ = try await second.tick(queue: queue, now: start.addingTimeInterval(15 * 60 + 30))
        #expect(try await queue.counts().queued == 1)
        // Down for two hours: only the latest missed run is enqueued.
        _ = try await first.tick(queue: queue, now: start.addingTimeInterval(2 * 3600 + 60))
        #expect(try await queue.counts().queued == 2)
    }

    @Test func unknownJobNamesFailWithAClearError() async throws {
        let error = JobError.unknownJob(name: "mystery", known: ["record"])
        #expect(error.description.contains("no job type is registered as 'mystery'"))
    }

    @Test func finishedJobsArePurgedByTheQueuesClock() async throws {
        let queue = try makeQueue()
        let id = try #require(try await queue.enqueue(RecordRun(n: 1)))
        let claimed = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        #expect(try await queue.complete(claimed, worker: "w"))
        clock.advance(by: 7 * 86_400)
        #expect(try await queue.purgeFinished() == 0)  // exactly a week old: kept
        clock.advance(by: 1)
        #expect(try await queue.purgeFinished() == 1)
        #expect(try await queue.job(id: id) == nil)
    }

    /// Waits, polling, for something a worker running on its own does; fails the test after 30 s of wall time.
    ///
    /// Only for waiting on the worker's own progress: the job times the test cares about (due, backoff,
    /// lease) move on ``clock``.
    func waitUntil(_ condition: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the worker did not get there within 30 s", sourceLocation: sourceLocation)
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

@Suite struct CronScheduleTests {
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(arguments: [
        ("0 3 * * *", "2026-01-01T03:00:00Z", true),
        ("0 3 * * *", "2026-01-01T03:01:00Z", false),
        ("*/15 * * * *", "2026-01-01T10:45:00Z", true),
        ("*/15 * * * *", "2026-01-01T10:46:00Z", false),
        ("0 9-17/4 * * 1-5", "2026-01-02T13:00:00Z", true),   // a Friday
        ("0 9-17/4 * * 1-5", "2026-01-03T13:00:00Z", false),  // a Saturday
        ("0 0 1 * 0", "2026-01-04T00:00:00Z", true),          // day fields OR'ed: a Sunday
        ("0 0 1 * 0", "2026-01-01T00:00:00Z", true),          // ... or the 1st
        ("0 0 1 * 0", "2026-01-02T00:00:00Z", false),
        ("30 2 * 2,3 7", "2026-02-01T02:30:00Z", true),       // 7 is Sunday too
    ])
    func matches(expression: String, at time: String, expected: Bool) throws {
        #expect(try CronSchedule(expression).matches(date(time)) == expected)
    }

    @Test func findsTheNextRun() throws {
        let schedule = try CronSchedule("0 3 * * *")
        #expect(schedule.nextDate(after: date("2026-01-01T03:00:00Z")) == date("2026-01-02T03:00:00Z"))
    }

    @Test(arguments: ["* * * *", "60 * * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"])
    func rejectsMalformedSchedules(expression: String) {
        #expect(throws: JobError.self) { try CronSchedule(expression) }
    }
}
