import Croft
import Foundation

extension Site {
    /// Opens the cache database (`CACHE_PATH`, default `data/cache.sqlite3`).
    public static func openCache(_ settings: Settings) throws -> Cache {
        try Cache(path: settings.operations.cachePath, maxEntries: settings.operations.cacheMaxEntries)
    }

    /// The backups directory and retention from the settings.
    public static func backupStore(_ settings: Settings) -> BackupStore {
        BackupStore(settings.operations)
    }

    /// The deployment checks for this site's paths.
    public static func doctor(_ settings: Settings, allowedOtherHolders: Int = 0) -> Doctor {
        Doctor(dataDirectory: settings.dataDirectory, databasePath: settings.databasePath,
               backups: backupStore(settings), allowedOtherHolders: allowedOtherHolders,
               settingsProblems: settings.problems)
    }

    /// Read-only maintenance mode for this site's data directory.
    public static func maintenanceMode(_ settings: Settings) -> MaintenanceMode {
        MaintenanceMode(dataDirectory: settings.dataDirectory)
    }

    /// A job worker with the site's jobs and recurring schedule.
    public static func makeWorker(_ settings: Settings, database: DatabasePool, logger: Logger,
                                  concurrency: Int? = nil) throws -> JobWorker {
        let operations = settings.operations
        return JobWorker(queue: try JobQueue(database: database), registry: jobRegistry,
                         concurrency: concurrency ?? operations.workerConcurrency, lease: operations.jobLeaseSeconds,
                         scheduler: JobScheduler(jobs: try recurringJobs(settings)), settings: settings, logger: logger)
    }

    /// Runs blocking work (backups, cache maintenance) on a Dispatch thread, off Swift's cooperative pool.
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
