import Foundation
import Testing
@testable import Croft

/// Workers in separate processes on one queue: exactly once per attempt, and recovery after kill -9.
@Suite(.serialized) struct JobWorkerProcessTests {
    let directory: OperationsDirectory
    var path: String { directory.file("db.sqlite3") }

    init() throws {
        directory = try OperationsDirectory()
        let database = try DatabasePool(path: directory.file("db.sqlite3"))
        try database.writeSync { db in try db.execute("CREATE TABLE runs (job_id INTEGER, n INTEGER, pid INTEGER)") }
        _ = try JobQueue(database: database)
        database.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func fourWorkerProcessesRunTwoThousandJobsExactlyOnce() async throws {
        let database = try DatabasePool(path: path)
        defer { database.close() }
        try database.writeSync { db in
            for n in 0..<2000 { try JobQueue.enqueue(RecordRun(n: n), in: db) }
        }
        let workers = try (0..<4).map { _ in try JobsTestHelper.startWorker(database: path, concurrency: 4, lease: 30) }
        for (process, _) in workers { process.waitUntilExit() }
        #expect(workers.allSatisfy { $0.0.terminationStatus == 0 })
        let (total, distinct, processes) = try database.readSync { db in
            (try db.fetchValue(Int.self, "SELECT count(*) FROM runs") ?? 0,
             try db.fetchValue(Int.self, "SELECT count(DISTINCT job_id) FROM runs") ?? 0,
             try db.fetchValue(Int.self, "SELECT count(DISTINCT pid) FROM runs") ?? 0)
        }
        #expect(total == 2000)
        #expect(distinct == 2000)
        #expect(processes > 1)  // the work was shared
        #expect(try database.readSync { db in try db.fetchValue(Int.self, "SELECT count(*) FROM croft_jobs WHERE state = 'done' AND attempts = 1") } == 2000)
    }

    @Test(.timeLimit(.minutes(1)))
    func aJobWhoseWorkerIsKilledRunsAgainAfterTheLeaseExpires() async throws {
        let database = try DatabasePool(path: path)
        defer { database.close() }
        let queue = try JobQueue(database: database)
        let id = try #require(try await queue.enqueue(SleepJob(seconds: 0.2)))
        // The first worker gets a long job... simulated by a sleep job it never finishes: kill -9 mid-job.
        try await database.write { db in try db.execute("UPDATE croft_jobs SET payload = ? WHERE id = ?", Data(#"{"seconds":30}"#.utf8), id) }
        // An hour's lease, which a stalled test cannot outrun; once the worker is dead, the test moves the
        // lease's end into the past, as time would (the child processes read the system clock, so the
        // test clock of JobQueueTests cannot reach them).
        let (victim, output) = try JobsTestHelper.startWorker(database: path, concurrency: 1, lease: 3600)
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.contains("started \(id) attempt 1"))
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(try await queue.job(id: id)?.state == .running)  // still leased to the dead worker
        try await database.write { db in
            try db.execute("UPDATE croft_jobs SET payload = ?, lease_until = lease_until - 3601 WHERE id = ?",
                           Data(#"{"seconds":0.05}"#.utf8), id)
        }
        let (rescuer, rescuerOutput) = try JobsTestHelper.startWorker(database: path, concurrency: 1, lease: 30)
        rescuer.waitUntilExit()
        let rescued = String(decoding: rescuerOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(rescued.contains("started \(id) attempt 2"))
        let record = try #require(try await queue.job(id: id))
        #expect(record.state == .done && record.attempts == 2)
    }
}

extension JobWorkerProcessTests {
    @Test(.timeLimit(.minutes(1)))
    func sigtermLetsRunningJobsFinishBeforeTheWorkerExits() async throws {
        let database = try DatabasePool(path: path)
        defer { database.close() }
        let queue = try JobQueue(database: database)
        let id = try #require(try await queue.enqueue(SleepJob(seconds: 0.5)))
        let (worker, output) = try JobsTestHelper.startWorker(database: path, concurrency: 1, lease: 30)
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.contains("started \(id) attempt 1"))
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let record = try #require(try await queue.job(id: id))
        #expect(record.state == .done && record.attempts == 1)  // it finished; it was not cut off and retried
    }
}

/// The helper's sleep job, enqueued from the test.
struct SleepJob: Job {
    static let name = "sleep"
    let seconds: Double

    func run(_ context: JobContext) async throws {
        try await Task.sleep(for: .seconds(seconds))
    }
}
