// A child process for the job tests: workers in separate processes, and one to kill -9 mid-job.
//
//   croft-jobs-testhelper worker DB CONCURRENCY LEASE_SECONDS   runs jobs until none is due and none runs,
//                                                               or until SIGTERM (running jobs get 5 s to finish)
import Croft
import Foundation

/// Records each run in `runs`, so a test can count how many times every job ran.
struct RecordRun: Job {
    static let name = "record"
    let n: Int

    func run(_ context: JobContext) async throws {
        let (id, n, pid) = (context.jobID, self.n, Int(getpid()))
        try await context.database.write { db in
            try db.execute("INSERT INTO runs (job_id, n, pid) VALUES (?, ?, ?)", id, n, pid)
        }
    }
}

/// Announces itself on stdout, then sleeps (long enough to be killed mid-job).
struct SleepJob: Job {
    static let name = "sleep"
    let seconds: Double

    func run(_ context: JobContext) async throws {
        FileHandle.standardOutput.write(Data("started \(context.jobID) attempt \(context.attempt)\n".utf8))
        try await Task.sleep(for: .seconds(seconds))
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, arguments[1] == "worker", let concurrency = Int(arguments[3]), let lease = Double(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: croft-jobs-testhelper worker DB CONCURRENCY LEASE_SECONDS\n".utf8))
    exit(2)
}
let database = try DatabasePool(path: arguments[2])
var registry = JobRegistry()
registry.register(RecordRun.self)
registry.register(SleepJob.self)
let queue = try JobQueue(database: database)
let worker = JobWorker(queue: queue, registry: registry, concurrency: concurrency, lease: lease, pollInterval: .milliseconds(10))
let signals = TerminationSignals()
let terminator = Task {
    await signals.wait()
    FileHandle.standardOutput.write(Data("stopping\n".utf8))
    await worker.stop(deadline: .seconds(5))
}
let stopper = Task {
    while true {
        try await Task.sleep(for: .milliseconds(100))
        let counts = try await queue.counts()
        if counts.due == 0 && counts.running == 0 && worker.runningCount == 0 { break }
    }
    await worker.stop(deadline: .seconds(5))
}
await worker.run()
stopper.cancel()
terminator.cancel()
print("finished \(worker.finishedCount)")
database.close()
