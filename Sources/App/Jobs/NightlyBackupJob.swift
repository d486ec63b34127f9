import Croft

/// Takes a verified online backup into `BACKUP_DIR` (scheduled nightly), then keeps the newest `BACKUP_KEEP`
/// `db-*` backups, `BACKUP_KEEP_PRE_MIGRATE` `pre-migrate-*` and `BACKUP_KEEP_PRE_RESTORE` `pre-restore-*` copies.
struct NightlyBackupJob: Job {
    static let name = "croft.nightly_backup"
    static let maxAttempts = 3

    func run(_ context: JobContext) async throws {
        let operations = context.settings.operations
        let store = BackupStore(operations)
        let database = context.database
        let info = try await Site.runBlocking { try store.create(from: database, gzip: operations.backupGzip) }
        context.logger.info("backup written: \(info.path) (\(info.size) bytes, integrity_check ok)")
    }
}
