import App
import Croft
import Foundation

/// After a migrate or revert that took a pre-migrate backup, deletes the backups beyond their retention
/// (`BACKUP_KEEP`, `BACKUP_KEEP_PRE_MIGRATE`, `BACKUP_KEEP_PRE_RESTORE`), sparing the copy just written.
///
/// A failure goes to `warn` rather than being thrown: the migration itself succeeded, and the next
/// prune (a backup, a restore, the nightly job) tries again.
func pruneBackups(after result: MigrationResult, settings: Settings, warn: (String) -> Void) {
    guard let backup = result.backupPath else { return }
    let store = BackupStore(settings.operations)
    do {
        try store.prune(sparing: [backup])
    } catch {
        warn("could not delete old backups in \(store.directory): \(error)")
    }
}

/// Writes `message` on its own line to standard error.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
