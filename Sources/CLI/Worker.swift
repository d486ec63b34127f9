import App
import ArgumentParser
import Croft

/// `app worker`: run background jobs (and the recurring schedule) in their own process.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run background jobs until SIGTERM; running jobs get WORKER_SHUTDOWN_SECONDS to finish.",
        discussion: """
            Any number of worker processes may share the queue: each job is claimed by one worker per attempt. \
            With RUN_WORKER_IN_SERVER=true (the default) `app serve` runs workers itself and this command is not needed.
            """)

    @Option(help: "Jobs run at once. Default: WORKER_CONCURRENCY or 4.")
    var concurrency: Int?

    @Flag(help: "Exit once no job is due (for scripts and tests) instead of waiting for more.")
    var untilEmpty = false

    mutating func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be 1 or more (got \(concurrency)).") }
    }

    func run() async throws {
        let settings = Settings()
        bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "croft.worker")
        try Site.prepareDataDirectory(settings)
        guard let lock = try ProcessLock.acquire(path: ProcessLock.path(dataDirectory: settings.dataDirectory), exclusive: false) else {
            throw CommandFailure("a restore is in progress on \(settings.databasePath); start the worker when it has finished.")
        }
        defer { lock.release() }
        let database = try Site.openDatabase(settings)
        defer { database.close() }
        let worker = try Site.makeWorker(settings, database: database, logger: logger, concurrency: concurrency)
        let signals = TerminationSignals()
        let stopper = Task {
            if untilEmpty {
                try await Task.sleep(for: .milliseconds(200))
                while true {
                    let counts = try await worker.queue.counts()
                    if counts.due == 0 && worker.runningCount == 0 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            } else {
                await signals.wait()
                logger.info("stopping: running jobs have \(settings.operations.workerShutdownSeconds) s to finish")
            }
            await worker.stop(deadline: .seconds(settings.operations.workerShutdownSeconds))
        }
        await worker.run()
        _ = await stopper.result
    }
}
