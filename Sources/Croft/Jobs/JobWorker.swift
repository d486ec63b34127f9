import Foundation
import Synchronization

/// Runs queued jobs: claims up to ``concurrency`` at a time, renews their leases while they run, records
/// success or failure, and on ``stop(deadline:)`` lets running jobs finish up to a deadline.
///
/// Run one per process (`app worker`, or inside `app serve --with-worker`); any number of processes may
/// work the same queue.
///
/// ```swift
/// let worker = JobWorker(queue: queue, registry: jobs, logger: logger)
/// Task { await worker.run() }
/// ...
/// await worker.stop(deadline: .seconds(25))   // on SIGTERM
/// ```
public final class JobWorker: Sendable {
    /// The queue worked.
    public let queue: JobQueue
    /// The job types this worker knows.
    public let registry: JobRegistry
    /// Jobs run at once.
    public let concurrency: Int
    /// Lease length in seconds; renewed every third of it (by the queue's clock) while a job runs.
    public let lease: Double
    /// How long to sleep when no job is due.
    public let pollInterval: Duration
    /// This worker's identity in `croft_jobs.worker`: host, process id and a random suffix.
    public let identity: String
    /// Recurring jobs this worker enqueues when due (any number of workers may share a schedule).
    public let scheduler: JobScheduler?
    /// The site's settings, handed to every job (``JobContext/settings``).
    public let settings: Settings
    private let logger: Logger
    private let running = Mutex<[Int64: Task<Void, Never>]>([:])
    private let stopping = Atomic<Bool>(false)
    private let stopCompleted = Atomic<Bool>(false)
    private let finished = Atomic<Int>(0)

    /// Creates a worker; call ``run()`` to start it.
    public init(queue: JobQueue, registry: JobRegistry, concurrency: Int = 4, lease: Double = 60,
                pollInterval: Duration = .milliseconds(500), scheduler: JobScheduler? = nil,
                settings: Settings = Settings(), logger: Logger = Logger(label: "croft.jobs")) {
        self.queue = queue
        self.settings = settings
        self.registry = registry
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.pollInterval = pollInterval
        self.scheduler = scheduler
        self.logger = logger
        identity = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    /// Jobs this worker has finished (done or failed attempt) since it started.
    public var finishedCount: Int { finished.load(ordering: .relaxed) }

    /// Jobs running now.
    public var runningCount: Int { running.withLock { $0.count } }

    /// Claims and runs jobs until ``stop(deadline:)`` is called; returns once that stop has completed
    /// (running jobs finished, or were put back in the queue at the deadline).
    public func run() async {
        logger.info("job worker \(identity) started: concurrency \(concurrency), lease \(Int(lease)) s")
        var lastRenewal = queue.clock()  // the queue's clock: the leases it renews are in its time
        var fullWait = 250
        while !stopping.load(ordering: .acquiring) {
            if let scheduler { await scheduler.tickIfDue(queue: queue, logger: logger) }
            let now = queue.clock()
            if now - lastRenewal > lease / 3 {
                lastRenewal = now
                let ids = running.withLock { Array($0.keys) }
                do { try await queue.renewLeases(worker: identity, ids: ids, lease: lease) } catch {
                    logger.error("could not renew job leases: \(error)")
                }
            }
            let free = concurrency - runningCount
            guard free > 0 else {
                // All slots busy: look again soon for short jobs, less often the longer they run.
                try? await Task.sleep(for: .microseconds(fullWait))
                fullWait = min(fullWait * 2, 50_000)
                continue
            }
            fullWait = 250
            let claimed: [ClaimedJob]
            do {
                claimed = try await queue.claim(worker: identity, limit: free, lease: lease)
            } catch {
                logger.error("could not claim jobs: \(error)")
                try? await Task.sleep(for: pollInterval)
                continue
            }
            for job in claimed { start(job) }
            if claimed.isEmpty { try? await Task.sleep(for: pollInterval) }
        }
        while !stopCompleted.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func start(_ job: ClaimedJob) {
        running.withLock { tasks in
            tasks[job.id] = Task { [self] in
                await execute(job)
                _ = running.withLock { $0.removeValue(forKey: job.id) }
                finished.add(1, ordering: .relaxed)
            }
        }
    }

    private func execute(_ job: ClaimedJob) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job"] = "\(job.name)#\(job.id)"
        let context = JobContext(jobID: job.id, name: job.name, attempt: job.attempt, database: queue.database,
                                 settings: settings, logger: jobLogger)
        do {
            try await registry.run(name: job.name, payload: job.payload, context: context)
            if try await !queue.complete(job, worker: identity, erasingPayload: registry.erasesPayloadWhenDone.contains(job.name)) {
                jobLogger.warning("job finished after its lease was taken over; it may have run twice (raise the lease)")
            }
        } catch {
            let permanent = (error as? JobFailure)?.isPermanent ?? false
            let state = try? await queue.fail(job, worker: identity, error: String(describing: error), permanent: permanent)
            if state == .failed, permanent {
                jobLogger.error("job failed for good on attempt \(job.attempt) (retrying cannot help): \(error)")
            } else if state == .failed {
                jobLogger.error("job failed for good after \(job.attempt) attempt(s): \(error)")
            } else {
                jobLogger.warning("job attempt \(job.attempt) of \(job.maxAttempts) failed, will retry: \(error)")
            }
        }
    }

    /// Stops claiming, waits up to `deadline` for running jobs to finish, then puts any still running
    /// back in the queue (without counting the attempt) so another worker takes them at once.
    public func stop(deadline: Duration = .seconds(25)) async {
        stopping.store(true, ordering: .releasing)
        let end = ContinuousClock.now + deadline
        while runningCount > 0 && ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        defer { stopCompleted.store(true, ordering: .releasing) }
        let (ids, tasks) = running.withLock { (Array($0.keys), Array($0.values)) }
        guard !ids.isEmpty else { return logger.info("job worker \(identity) stopped") }
        logger.warning("job worker stopping with \(ids.count) job(s) still running: returning them to the queue")
        try? await queue.release(worker: identity, ids: ids)
        for task in tasks { task.cancel() }
    }
}
