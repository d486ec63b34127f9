/// The operations variables (cache, jobs, backups, WAL), read from the same sources as ``Settings``.
///
/// Kept apart from `Settings` so the operations features stay in their own files; reach them as
/// `settings.operations`. Every variable is in `.env.example`.
public struct OperationsSettings: Sendable {
    /// `CACHE_PATH`: the cache database (`data/cache.sqlite3`); never backed up.
    public var cachePath: String
    /// `CACHE_MAX_ENTRIES`: entries kept before the oldest are culled.
    public var cacheMaxEntries: Int
    /// `RUN_WORKER_IN_SERVER`: run the job workers inside `app serve` (single-container deploys). Default on;
    /// turn off when `app worker` runs as its own process.
    public var runWorkerInServer: Bool
    /// `WORKER_CONCURRENCY`: jobs a worker process runs at once.
    public var workerConcurrency: Int
    /// `JOB_LEASE_SECONDS`: how long a claimed job is held before another worker may take it over.
    public var jobLeaseSeconds: Double
    /// `WORKER_SHUTDOWN_SECONDS`: on SIGTERM, how long running jobs may take to finish.
    public var workerShutdownSeconds: Int
    /// `BACKUP_DIR`: where backups go (`data/backups`).
    public var backupDirectory: String
    /// `BACKUP_KEEP`: how many `db-*` backups to keep.
    public var backupKeep: Int
    /// `BACKUP_KEEP_PRE_MIGRATE`: how many `pre-migrate-*` copies (taken by `app migrate`) to keep.
    public var backupKeepPreMigrate: Int
    /// `BACKUP_KEEP_PRE_RESTORE`: how many `pre-restore-*` copies (taken by `app restore`) to keep.
    public var backupKeepPreRestore: Int
    /// `BACKUP_GZIP`: compress the nightly backup.
    public var backupGzip: Bool
    /// `BACKUP_SCHEDULE`: cron schedule (UTC) of the nightly backup.
    public var backupSchedule: String
    /// `WAL_WARNING_MB`: log a warning when the WAL grows past this many megabytes.
    public var walWarningMegabytes: Int

    /// Variables that did not parse or are out of range (`JOB_LEASE_SECONDS=inf`), one sentence each; part of
    /// ``Settings/problems``, so start-up stops with them instead of trapping later.
    public let problems: [String]

    /// Reads the variables from `settings.values`.
    public init(_ settings: Settings) {
        var reader = SettingValues(settings)
        let values = settings.values
        func path(_ key: String, _ fallback: String) -> String { reader.path(key, fallback) }
        func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int { reader.number(key, fallback, range) }
        func flag(_ key: String, _ fallback: Bool) -> Bool { reader.flag(key, fallback) }
        cachePath = path("CACHE_PATH", settings.dataDirectory + "/cache.sqlite3")
        cacheMaxEntries = number("CACHE_MAX_ENTRIES", 10_000, 1...100_000_000)
        runWorkerInServer = flag("RUN_WORKER_IN_SERVER", true)
        workerConcurrency = number("WORKER_CONCURRENCY", 4, 1...1024)
        // A double, but finite and at most a day: Int(inf) trapped in the worker, and 0 ran jobs twice.
        jobLeaseSeconds = 60
        if let text = values["JOB_LEASE_SECONDS"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            if let value = Double(text), value.isFinite, (1...86_400).contains(value) {
                jobLeaseSeconds = value
            } else {
                reader.problem("JOB_LEASE_SECONDS=\"\(text)\" is not a number of seconds between 1 and 86400")
            }
        }
        workerShutdownSeconds = number("WORKER_SHUTDOWN_SECONDS", 25, 0...86_400)
        backupDirectory = path("BACKUP_DIR", settings.dataDirectory + "/backups")
        backupKeep = number("BACKUP_KEEP", 14, 0...100_000)
        backupKeepPreMigrate = number("BACKUP_KEEP_PRE_MIGRATE", BackupStore.defaultSafetyCopiesKept, 0...100_000)
        backupKeepPreRestore = number("BACKUP_KEEP_PRE_RESTORE", BackupStore.defaultSafetyCopiesKept, 0...100_000)
        backupGzip = flag("BACKUP_GZIP", false)
        backupSchedule = values["BACKUP_SCHEDULE"] ?? "0 3 * * *"
        // Megabytes × 1,000,000 must fit an Int64: it overflowed at start-up past 9,223,372,036,854.
        walWarningMegabytes = number("WAL_WARNING_MB", 64, 1...1_000_000_000)
        self.problems = reader.problems
    }
}

extension Settings {
    /// The cache, jobs, backups and WAL settings.
    public var operations: OperationsSettings { OperationsSettings(self) }
}
