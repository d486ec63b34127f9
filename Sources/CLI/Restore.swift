import App
import ArgumentParser
import Croft
import Foundation

/// `app restore FILE`: check a backup, save a safety copy of the current database, then restore.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the database from a backup (after saving a safety copy of the current one).",
        discussion: """
            The file must pass integrity_check, be a Croft database (schema_migrations) and know no migration this \
            build lacks. Stop the server and workers first (or `app maintenance on` and --force); the current \
            database is saved as BACKUP_DIR/pre-restore-<time>.sqlite3 (BACKUP_DIR defaults to data/backups).
            """)

    @Argument(help: "The backup to restore: a path, or a name in BACKUP_DIR (data/backups/; .sqlite3 or .sqlite3.gz).")
    var file: String

    @Flag(help: "Restore even while a server or worker is running on the database.")
    var force = false

    func run() throws {
        let settings = Settings()
        bootstrapLogging(level: .warning)
        try Site.prepareDataDirectory(settings)
        let store = BackupStore(settings.operations)
        var path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        if !file.contains("/"), !FileManager.default.fileExists(atPath: path) { path = store.directory + "/" + file }
        let lockPath = ProcessLock.path(dataDirectory: settings.dataDirectory)
        let lock = try ProcessLock.acquire(path: lockPath, exclusive: true)
        defer { lock?.release() }
        if lock == nil && !force {
            let holders = OpenFileScanner.holders(of: settings.databasePath).map { "pid \($0.pid) (\($0.command))" }
            throw CommandFailure("""
                a server or worker is running on \(settings.databasePath)\(holders.isEmpty ? "" : ": " + holders.joined(separator: ", ")).
                Stop it first (docker compose stop web / systemctl stop croft), run `app restore \(file)`, then start it again.
                To restore while it serves reads, run `app maintenance on`, then `app restore \(file) --force`, then `app maintenance off`.
                """)
        }
        let restorer = DatabaseRestorer(databasePath: settings.databasePath, backups: store,
                                        knownMigrations: Site.migrations.map(\.name))
        do {
            let candidate = try restorer.inspect(path)
            let safety = try restorer.restore(candidate, configuration: settings.databaseConfiguration)
            if let safety { print("safety copy of the previous database: \(safety)") }
            // In the restored database's audit log, when it has one (a backup from before the log has not).
            let restored = try Site.openDatabase(settings)
            defer { restored.close() }
            try restored.writeSync { db in
                guard try db.fetchOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'") != nil else { return }
                try Audit.record(.backupRestored, actor: nil, actorEmail: "app restore", target: (path as NSString).lastPathComponent,
                                 request: nil, details: ["safety_copy": safety ?? ""], in: db)
            }
            print("restored \(path) into \(settings.databasePath) (\(candidate.appliedMigrations.count) migrations applied in it)")
            if !candidate.pendingMigrations.isEmpty {
                print("it lacks \(candidate.pendingMigrations.count) migration(s) of this build: run `app migrate` next")
            }
        } catch let error as BackupError {
            throw CommandFailure(error.description)
        } catch let error as DatabaseOpenError {
            throw CommandFailure("\(error)")
        }
    }
}
