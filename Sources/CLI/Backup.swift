import App
import ArgumentParser
import Croft
import Foundation

/// `app backup`: an online, verified copy of the live database while the site keeps serving.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up the database (online backup API + integrity_check) into BACKUP_DIR (data/backups/).",
        discussion: """
            Writes BACKUP_DIR/db-YYYYMMDD-HHMMSS.sqlite3 (UTC, mode 0600), verified with integrity_check, then keeps \
            the newest BACKUP_KEEP db-* backups, BACKUP_KEEP_PRE_MIGRATE pre-migrate-* and BACKUP_KEEP_PRE_RESTORE \
            pre-restore-* copies. The cache is not backed up. Restore with `app restore FILE`.
            """)

    @Flag(help: "Compress the copy with gzip (.sqlite3.gz).")
    var gzip = false

    @Option(help: "Write the backup to PATH instead (no retention applied).")
    var to: String?

    @Flag(help: "List the backups instead: name, size, time.")
    var list = false

    func run() throws {
        if list { return try listBackups() }
        try withExistingDatabase(toDo: "to back up") { settings, database in
            let store = BackupStore(settings.operations)
            let destination = to.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            do {
                let info = try store.create(from: database, gzip: gzip, destination: destination)
                print("backup: \(info.path) (\(Doctor.megabytes(info.size)), integrity_check ok)")
            } catch let error as BackupError {
                throw CommandFailure(error.description)
            }
        }
    }

    private func listBackups() throws {
        bootstrapLogging(level: .warning)
        let store = BackupStore(Settings().operations)
        let backups = try store.list()
        if backups.isEmpty { print("no backups in \(store.directory)") }
        let formatter = ISO8601DateFormatter()
        for backup in backups {
            print("\(backup.name)  \(Doctor.megabytes(backup.size))  \(formatter.string(from: backup.createdAt))")
        }
    }
}
