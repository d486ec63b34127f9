import App
import ArgumentParser
import Croft
import Foundation

/// `app migrate`: apply, list, preview, check and revert the site's migrations.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations (after an online backup when the database holds data).",
        discussion: """
            Each migration runs in its own BEGIN IMMEDIATE transaction followed by PRAGMA foreign_key_check; a \
            failure rolls it back and leaves the database at the previous version. Two processes migrating at \
            once are safe: one applies, the other waits and finds nothing pending.
            """)

    @Flag(help: "List applied migrations (with times) and pending ones.")
    var list = false

    @Flag(help: "Print the SQL that would run; change nothing.")
    var sql = false

    @Flag(help: "Exit with status 1 when migrations are pending (for CI and deploy scripts).")
    var check = false

    @Option(help: "Bring the database to NAME: apply pending migrations up to and including it, and revert applied ones after it.")
    var to: String?

    @Flag(help: "Revert the last applied migration (or the last COUNT) by running its `down` step.")
    var revert = false

    @Argument(help: "With --revert: how many migrations to revert (default 1).")
    var count: Int?

    @Flag(help: "Skip the backup taken before changing a database that holds data (BACKUP_DIR/pre-migrate-<time>.sqlite3; BACKUP_DIR defaults to data/backups).")
    var noBackup = false

    mutating func validate() throws {
        let modes = [list, sql, check, revert].filter { $0 }.count
        if modes > 1 { throw ValidationError("Use only one of --list, --sql, --check and --revert.") }
        if let count {
            guard revert else { throw ValidationError("A count goes with --revert, as in `app migrate --revert \(count)`.") }
            guard count >= 1 else { throw ValidationError("--revert takes a count of 1 or more (got \(count)).") }
        }
        if to != nil && (list || check || revert) {
            throw ValidationError("--to goes with a plain `app migrate` or with --sql.")
        }
    }

    func run() throws {
        let settings = Settings()
        bootstrapLogging(level: .warning)
        let migrator = Site.migrator
        if let name = to, !migrator.migrations.contains(where: { $0.name == name }) {
            throw CommandFailure("no migration is named '\(name)'. `app migrate --list` shows them all.")
        }
        if list || sql || check, !FileManager.default.fileExists(atPath: settings.databasePath) {
            // Looking must not create anything (not even data/): with no database, everything is pending.
            return try inspectMissingDatabase(migrator)
        }
        try Site.prepareDataDirectory(settings)
        let database = try Site.openDatabase(settings)
        defer { database.close() }
        do {
            if list {
                printList(migrator, applied: try migrator.appliedMigrations(database))
            } else if sql {
                let text = try migrator.sqlToApply(database, to: to)
                print(text.isEmpty ? "-- nothing to apply" : text)
            } else if check {
                try reportPending(try migrator.pendingMigrations(database))
            } else if revert {
                let result = try migrator.revert(database, count: count ?? 1, backupDirectory: backupDirectory(settings))
                report(result, nothing: "no applied migrations to revert")
                pruneBackups(after: result, settings: settings, warn: printWarning)
            } else {
                let result = try migrator.migrate(database, to: to, backupDirectory: backupDirectory(settings))
                report(result, nothing: "no migrations to apply")
                pruneBackups(after: result, settings: settings, warn: printWarning)
            }
        } catch let error as MigrationError {
            throw CommandFailure(error.description + hint(for: error))
        }
    }

    /// `--list`, `--sql` or `--check` when the database file does not exist yet.
    private func inspectMissingDatabase(_ migrator: Migrator) throws {
        if list {
            printList(migrator, applied: [])
        } else if sql {
            let text = try migrator.sqlToApplyToNewDatabase(to: to)
            print(text.isEmpty ? "-- nothing to apply" : text)
        } else {
            try reportPending(migrator.migrations)
        }
    }

    /// Prints what is pending for `--check`, exiting 1 when anything is.
    private func reportPending(_ pending: [Migration]) throws {
        guard pending.isEmpty else {
            print("\(pending.count) migration(s) pending: \(pending.map(\.name).joined(separator: ", "))")
            throw ExitCode.failure
        }
        print("no migrations pending")
    }

    private func backupDirectory(_ settings: Settings) -> String? {
        noBackup ? nil : Site.backupDirectory(settings)
    }

    private func report(_ result: MigrationResult, nothing: String) {
        if let backup = result.backupPath { print("backup: \(backup)") }
        if result.isEmpty { print(nothing) }
        for name in result.reverted { print("reverted \(name)") }
        for name in result.applied { print("applied \(name)") }
    }

    private func printList(_ migrator: Migrator, applied: [AppliedMigration]) {
        let formatter = ISO8601DateFormatter()
        var appliedNames = Set<String>()
        for record in applied {
            appliedNames.insert(record.name)
            print("[x] \(record.name)  applied \(formatter.string(from: record.appliedAt))")
        }
        for migration in migrator.migrations where !appliedNames.contains(migration.name) {
            print("[ ] \(migration.name)  pending")
        }
    }

    private func hint(for error: MigrationError) -> String {
        switch error.kind {
        case .checksumMismatch:
            "\nA migration that was applied must not be edited: restore its original text and add a new migration with `app makemigration`."
        case .irreversible:
            "\nIt has no `down` SQL; restore a backup (`app backup --list`, `app restore FILE`) instead, or write a new migration that undoes it."
        default:
            "\nThe database was left as it was before this migration."
        }
    }
}
