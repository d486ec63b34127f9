import Foundation

/// Restores the main database from a backup, safely: checks the file, saves a safety copy of the
/// current database, then copies the backup into the live file through SQLite's backup API (so the
/// live file, its `-wal` and `-shm` stay consistent; no file is swapped under an open connection).
///
/// Refuses files that fail `integrity_check`, that are not Croft databases (no `schema_migrations`), or
/// that record migrations this build does not know (they were made by a newer version of the site).
public struct DatabaseRestorer: Sendable {
    /// The live database.
    public let databasePath: String
    /// Where the safety copy goes.
    public let backups: BackupStore
    /// This build's migration names, oldest first.
    public let knownMigrations: [String]

    /// Creates a restorer.
    public init(databasePath: String, backups: BackupStore, knownMigrations: [String]) {
        self.databasePath = databasePath
        self.backups = backups
        self.knownMigrations = knownMigrations
    }

    /// Checks `file` without changing anything; a `.gz` is decompressed to a temporary file first
    /// (remove ``RestoreCandidate/databaseFile`` when it differs from `file`).
    public func inspect(_ file: String) throws -> RestoreCandidate {
        guard FileManager.default.fileExists(atPath: file) else {
            throw BackupError("\(file) does not exist. `app backup --list` shows the backups in \(backups.directory).")
        }
        var databaseFile = file
        if file.hasSuffix(".gz") {
            databaseFile = NSTemporaryDirectory() + "croft-restore-\(UUID().uuidString).sqlite3"
            try BackupStore.runGzip(["-d", "-c", file], output: databaseFile)
        }
        do {
            try Self.requireSQLiteHeader(databaseFile, shownAs: file)
            let problems = try BackupStore.verify(databaseFile)
            guard problems.isEmpty else {
                throw BackupError("\(file) fails integrity_check: \(problems.prefix(5).joined(separator: "; ")). Pick an older backup.")
            }
            let connection = try Connection(path: databaseFile, role: .reader)
            defer { connection.close() }
            let hasTable = try connection.fetchValue(Int.self, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", Migrator.tableName) ?? 0
            guard hasTable == 1 else {
                throw BackupError("\(file) is a SQLite database but not a Croft one: it has no \(Migrator.tableName) table.")
            }
            let applied = try connection.fetchAll("SELECT name FROM \(Migrator.tableName) ORDER BY name").map { try $0.get(0, as: String.self) }
            let unknown = applied.filter { !knownMigrations.contains($0) }
            guard unknown.isEmpty else {
                throw BackupError("""
                    \(file) was made by a newer build: it records migrations this build does not have \
                    (\(unknown.joined(separator: ", "))). Deploy that build, then restore.
                    """)
            }
            return RestoreCandidate(file: file, databaseFile: databaseFile, appliedMigrations: applied,
                                    pendingMigrations: knownMigrations.filter { !applied.contains($0) })
        } catch {
            if databaseFile != file { try? FileManager.default.removeItem(atPath: databaseFile) }
            throw error
        }
    }

    /// Saves a safety copy of the live database (`pre-restore-*.sqlite3`, mode 0600), then copies `candidate`
    /// into it. Returns the safety copy's path (nil when there was no live database yet).
    ///
    /// Once restored, the backups are pruned to their retention (``BackupStore/prune(sparing:)``), sparing the
    /// safety copy and the file restored from: pruning before the copy could delete the very backup being
    /// restored (restoring the oldest `pre-restore-*` after another restore is an undo).
    ///
    /// The caller makes sure no server or worker runs (see ``ProcessLock``).
    @discardableResult
    public func restore(_ candidate: RestoreCandidate, configuration: DatabaseConfiguration = DatabaseConfiguration()) throws -> String? {
        defer { if candidate.databaseFile != candidate.file { try? FileManager.default.removeItem(atPath: candidate.databaseFile) } }
        let existed = FileManager.default.fileExists(atPath: databasePath)
        let pool = try DatabasePool(path: databasePath, configuration: configuration)
        defer { pool.close() }
        var safetyCopy: String?
        if existed {
            safetyCopy = try backups.create(from: pool, prefix: "pre-restore", pruning: false).path
        }
        try pool.writeWithoutTransactionSync { db in
            try db.restore(from: candidate.databaseFile)
            // The copy carries the backup's journal mode in its header; the live file must stay in WAL.
            try db.executeScript("PRAGMA journal_mode = WAL")
            let problems = try db.integrityProblems(full: false)
            guard problems.isEmpty else {
                throw BackupError("the restored database fails quick_check: \(problems.prefix(3).joined(separator: "; ")). Restore the safety copy \(safetyCopy ?? "").")
            }
        }
        // The restore is done: a file that cannot be deleted now is retried at the next prune, and must not
        // make a successful restore look failed.
        _ = try? backups.prune(sparing: [safetyCopy, candidate.file].compactMap { $0 })
        return safetyCopy
    }

    /// Fails with a clear message when `path` does not start with the SQLite header string.
    static func requireSQLiteHeader(_ path: String, shownAs name: String) throws {
        let handle = FileHandle(forReadingAtPath: path)
        defer { try? handle?.close() }
        let header = (try? handle?.read(upToCount: 16)) ?? nil
        guard let header, header == Data("SQLite format 3\0".utf8) else {
            throw BackupError("\(name) is not a SQLite database (its first bytes are not \"SQLite format 3\").")
        }
    }
}
