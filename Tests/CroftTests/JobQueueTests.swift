import Foundation
import Testing
@testable import Croft

@Suite struct JobQueueTests {
    let directory: OperationsDirectory
    let database: DatabasePool

    init() throws {
        directory = try OperationsDirectory()
        database = try DatabasePool(path: directory.file("db.sqlite3"))
        try database.writeSync { db in try db.execute("CREATE TABLE runs (job_id INTEGER, n INTEGER, pid INTEGER)") }
    }

    var registry: JobRegistry {
        var registry = JobRegistry()
        registry.register(RecordRun.self)
        registry.register(Flaky.self)
        return registry
    }

    @Test func claimsByPriorityThenRunAtAndNeverTwice() async throws {
        let queue = try JobQueue(database: database)
        let low = try await queue.enqueue(RecordRun(n: 1))
        let high = try await queue.enqueue(RecordRun(n: 2), priority: 10)
        _ = try await queue.enqueue(RecordRun(n: 3), at: Date().addingTimeInterval(3600))  // not due
        let first = try await queue.claim(worker: "a", limit: 1, lease: 30)
        #expect(first.map(\.id) == [high!])
        let second = try await queue.claim(worker: "b", limit: 5, lease: 30)
        #expect(second.map(\.id) == [low!])
        #expect(try await queue.claim(worker: "c", limit: 5, lease: 30).isEmpty)
        #expect(try await queue.counts() == { var c = JobCounts(); c.queued = 1; c.running = 2; return c }())
    }

    @Test func aFailedAttemptIsRetriedWithBackoffThenFailsKeepingTheError() async throws {
        var queue = try JobQueue(database: database)
        queue.retryPolicy = RetryPolicy(base: 0.2, maximum: 10)
        let id = try #require(try await queue.enqueue(Flaky(succeedOnAttempt: 99)))
        let claimed = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        let before = Date()
        #expect(try await queue.fail(claimed, worker: "w", error: "boom 1") == .queued)
        let record = try #require(try await queue.job(id: id))
        #expect(record.state == .queued && record.attempts == 1 && record.lastError == "boom 1")
        let delay = record.runAt.timeIntervalSince(before)
        #expect(delay >= 0.1 && delay <= 0.2 + Date().timeIntervalSince(before))  // base 0.2 s × jitter in 0.5...1
        try await Task.sleep(for: .milliseconds(250))
        let retry = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        #expect(retry.attempt == 2)
        _ = try await queue.fail(retry, worker: "w", error: "boom 2")
        try await Task.sleep(for: .milliseconds(450))
        let last = try #require(try await queue.claim(worker: "w", limit: 1, lease: 30).first)
        #expect(last.attempt == 3)
        #expect(try await queue.fail(last, worker: "w", error: "boom 3") == .failed)
        let failed = try await queue.jobs(in: .failed)
        #expect(failed.map(\.id) == [id])
        #expect(failed.first?.lastError == "boom 3")
        // Staff operations: retry gives it fresh attempts; delete removes it.
        try await queue.retry(id: id)
        #expect(try await queue.job(id: id)?.state == .queued)
        #expect(try await queue.job(id: id)?.attempts == 0)
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
        let queue = try JobQueue(database: database)
        let id = try #require(try await queue.enqueue(RecordRun(n: 1)))
        // No sleeping until a short lease runs out: on 2 loaded cores the suite stalled a test for over
        // 6 s between two awaits, outrunning 3 s and 6 s leases. An hour's lease cannot be outrun; the
        // test then moves its end into the past, as time would.
        let first = try #require(try await queue.claim(worker: "dead", limit: 1, lease: 3600).first)
        #expect(first.attempt == 1)
        #expect(try await queue.claim(worker: "live", limit: 1, lease: 30).isEmpty)  // leased to "dead"
        try await database.write { db in try db.execute("UPDATE croft_jobs SET lease_until = lease_until - 3601 WHERE id = ?", id) }
        let second = try #require(try await queue.claim(worker: "live", limit: 1, lease: 30).first)
        #expect(second.id == id && second.attempt == 2)
        #expect(try await !queue.complete(first, worker: "dead"))  // the dead worker's late result is ignored
        #expect(try await queue.complete(second, worker: "live"))
        #expect(try await queue.job(id: id)?.state == .done)
    }

    @Test func workerRunsJobsAndStopsGracefully() async throws {
        var queue = try JobQueue(database: database)
        queue.retryPolicy = RetryPolicy(base: 0.01, maximum: 0.05)
        for n in 0..<20 { try await queue.enqueue(RecordRun(n: n)) }
        try await queue.enqueue(Flaky(succeedOnAttempt: 2))
        let worker = JobWorker(queue: queue, registry: registry, concurrency: 3, lease: 5, pollInterval: .milliseconds(10))
        let running = Task { await worker.run() }
        for _ in 0..<1000 where try await queue.counts().done < 21 { try await Task.sleep(for: .milliseconds(10)) }
        await worker.stop(deadline: .seconds(1))
        await running.value
        #expect(try await queue.counts().done == 21)
        #expect(try await database.read { db in try db.fetchValue(Int.self, "SELECT count(DISTINCT job_id) FROM runs") } == 20)
    }

    @Test func recurringJobsAreEnqueuedOncePerMatchingMinute() async throws {
        let queue = try JobQueue(database: database)
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
