import Croft

extension Site {
    /// Every job type workers can run. Register yours here: `registry.register(SendWelcomeEmail.self)`.
    public static var jobRegistry: JobRegistry {
        var registry = JobRegistry()
        registry.register(NightlyBackupJob.self)
        registry.register(CleanupJob.self)
        registry.register(OptimizeDatabaseJob.self)
        registry.register(SendEmailJob.self)
        return registry
    }

    /// The recurring jobs (cron schedules in UTC): nightly backup, hourly clean-up, `PRAGMA optimize`.
    public static func recurringJobs(_ settings: Settings) throws -> [RecurringJob] {
        [
            try RecurringJob("nightly-backup", schedule: settings.operations.backupSchedule, job: NightlyBackupJob()),
            try RecurringJob("cleanup", schedule: "17 * * * *", job: CleanupJob()),
            try RecurringJob("optimize", schedule: "0 */6 * * *", job: OptimizeDatabaseJob()),
        ]
    }
}
