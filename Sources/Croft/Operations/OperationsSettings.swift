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

    /// Reads the variables from `settings.values`.
    public init(_ settings: Settings) {
        let values = settings.values
        func path(_ key: String, _ fallback: String) -> String {
            guard let value = values[key], !value.isEmpty else { return fallback }
            return value.hasPrefix("/") ? value : settings.baseDirectory + "/" + value
        }
        cachePath = path("CACHE_PATH", settings.dataDirectory + "/cache.sqlite3")
        cacheMaxEntries = values["CACHE_MAX_ENTRIES"].flatMap(Int.init) ?? 10_000
        runWorkerInServer = Settings.flag(values["RUN_WORKER_IN_SERVER"]) ?? true
        workerConcurrency = values["WORKER_CONCURRENCY"].flatMap(Int.init) ?? 4
        jobLeaseSeconds = values["JOB_LEASE_SECONDS"].flatMap(Double.init) ?? 60
        workerShutdownSeconds = values["WORKER_SHUTDOWN_SECONDS"].flatMap(Int.init) ?? 25
        backupDirectory = path("BACKUP_DIR", settings.dataDirectory + "/backups")
        backupKeep = values["BACKUP_KEEP"].flatMap(Int.init) ?? 14
        backupKeepPreMigrate = values["BACKUP_KEEP_PRE_MIGRATE"].flatMap(Int.init) ?? BackupStore.defaultSafetyCopiesKept
        backupKeepPreRestore = values["BACKUP_KEEP_PRE_RESTORE"].flatMap(Int.init) ?? BackupStore.defaultSafetyCopiesKept
        backupGzip = Settings.flag(values["BACKUP_GZIP"]) ?? false
        backupSchedule = values["BACKUP_SCHEDULE"] ?? "0 3 * * *"
        walWarningMegabytes = values["WAL_WARNING_MB"].flatMap(Int.init) ?? 64
    }
}

extension Settings {
    /// The cache, jobs, backups and WAL settings.
    public var operations: OperationsSettings { OperationsSettings(self) }
}
