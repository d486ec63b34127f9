import Foundation

/// The backups of the main database in `data/backups/` (`BACKUP_DIR`): create (online backup API, verified
/// with `integrity_check`, optionally gzipped), list, delete, keep the newest N of each kind, and stream one
/// for download.
///
/// Only the main database is backed up; the cache (`cache.sqlite3`) is ephemeral. Every backup file is
/// created with mode 0600: a backup holds the same data as the database, password hashes included.
///
/// ```swift
/// let backups = BackupStore(settings.operations)   // BACKUP_DIR, BACKUP_KEEP, BACKUP_KEEP_PRE_*
/// let info = try backups.create(from: database, gzip: true)
/// ```
public struct BackupStore: Sendable {
    /// Where backups are written and listed.
    public let directory: String
    /// How many `db-*` backups to keep (older ones are deleted after each new one); nil keeps all.
    public let keep: Int?
    /// How many `pre-migrate-*` copies to keep; nil keeps all.
    public let keepPreMigrate: Int?
    /// How many `pre-restore-*` copies to keep; nil keeps all.
    public let keepPreRestore: Int?
    /// The gzip executable used for `--gzip` (found on `PATH`-like standard places).
    public static let gzipPath = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The default of `BACKUP_KEEP_PRE_MIGRATE` and `BACKUP_KEEP_PRE_RESTORE`.
    public static let defaultSafetyCopiesKept = 5

    /// Creates a store over `directory` that keeps the newest `keep` `db-*` backups and the newest
    /// `keepPreMigrate` / `keepPreRestore` safety copies (nil keeps every file of that kind).
    public init(directory: String, keep: Int? = 14, keepPreMigrate: Int? = BackupStore.defaultSafetyCopiesKept,
                keepPreRestore: Int? = BackupStore.defaultSafetyCopiesKept) {
        self.directory = directory
        self.keep = keep
        self.keepPreMigrate = keepPreMigrate
        self.keepPreRestore = keepPreRestore
    }

    /// Creates the store the settings describe: `BACKUP_DIR`, `BACKUP_KEEP`, `BACKUP_KEEP_PRE_MIGRATE` and
    /// `BACKUP_KEEP_PRE_RESTORE`.
    public init(_ operations: OperationsSettings) {
        self.init(directory: operations.backupDirectory, keep: operations.backupKeep,
                  keepPreMigrate: operations.backupKeepPreMigrate, keepPreRestore: operations.backupKeepPreRestore)
    }

    /// Each kind of backup retention prunes, by file-name prefix, with how many of it to keep. Files of
    /// other names (a copy put there by hand) are never deleted.
    public var retention: [(prefix: String, keep: Int?)] {
        [("db-", keep), ("pre-migrate-", keepPreMigrate), ("pre-restore-", keepPreRestore)]
    }

    /// The file name of a backup taken at `date`: `db-YYYYMMDD-HHMMSS.sqlite3` (UTC).
    public static func fileName(for date: Date, prefix: String = "db") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(prefix)-\(formatter.string(from: date)).sqlite3"
    }

    /// Copies the live database with the online backup API (writes continue meanwhile), checks the copy
    /// with `integrity_check`, gzips it if asked, then prunes each kind to its retention (``prune(sparing:)``),
    /// never deleting the new file. `destination` overrides the path (and skips pruning), as does
    /// `pruning: false`.
    ///
    /// The copy is written to a `.partial` file and renamed only once verified, so every `db-*` file in
    /// the directory is a verified backup. Both are created with mode 0600.
    @discardableResult
    public func create(from database: DatabasePool, gzip: Bool = false, destination: String? = nil,
                       prefix: String = "db", date: Date = Date(), pruning: Bool = true) throws -> BackupInfo {
        let final = destination.map { gzip && !$0.hasSuffix(".gz") ? $0 + ".gz" : $0 }
            ?? unusedPath(for: date, prefix: prefix, gzip: gzip)
        let parent = (final as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent.isEmpty ? "." : parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o750])
        let partial = parent + "/." + ((final as NSString).lastPathComponent) + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        // Created empty with 0600 before SQLite opens it (an empty file is an empty database), so the copy
        // and its rollback journal, which SQLite gives the database's mode, are never readable by others.
        try Self.createPrivateFile(partial)
        // From a reader: one WAL snapshot, so writers go on while the copy is taken.
        try database.readSync { db in try db.backup(to: partial) }
        let problems = try Self.verify(partial)
        guard problems.isEmpty else {
            throw BackupError("the backup copy failed integrity_check: \(problems.prefix(5).joined(separator: "; ")). The live database may be damaged: run `app check --full`.")
        }
        if gzip {
            try Self.runGzip(["-c", "-n", partial], output: final)
        } else {
            try? FileManager.default.removeItem(atPath: final)
            try FileManager.default.moveItem(atPath: partial, toPath: final)
        }
        if destination == nil && pruning { try prune(sparing: [final]) }
        return try Self.info(path: final)
    }

    /// `directory/prefix-YYYYMMDD-HHMMSS.sqlite3[.gz]`, or with `-2`, `-3`, ... when a backup of that second
    /// exists: two safety copies taken in one second must not replace each other.
    func unusedPath(for date: Date, prefix: String, gzip: Bool) -> String {
        let name = Self.fileName(for: date, prefix: prefix)
        let stem = directory + "/" + name.dropLast(".sqlite3".count)
        let suffix = gzip ? ".sqlite3.gz" : ".sqlite3"
        var path = stem + suffix
        var counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = stem + "-\(counter)" + suffix
            counter += 1
        }
        return path
    }

    /// Runs `integrity_check` on a database file (no WAL, opened read-only); returns the problems found.
    public static func verify(_ path: String) throws -> [String] {
        let connection = try Connection(path: path, role: .reader)
        defer { connection.close() }
        return try connection.integrityProblems(full: true)
    }

    /// The backups in the directory, newest first (`db-*`, `pre-migrate-*`, `pre-restore-*`).
    public func list() throws -> [BackupInfo] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return try names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".sqlite3") || $0.hasSuffix(".sqlite3.gz")) }
            .map { try Self.info(path: directory + "/" + $0) }
            .sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
    }

    /// The backup named `name`, refusing names that would leave the directory.
    public func backup(named name: String) throws -> BackupInfo {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.hasSuffix(".sqlite3") || name.hasSuffix(".sqlite3.gz") else {
            throw BackupError("'\(name)' is not a backup name (expected e.g. db-20260101-030000.sqlite3)")
        }
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError("no backup named '\(name)' in \(directory)") }
        return try Self.info(path: path)
    }

    /// Deletes the backup named `name`.
    public func delete(named name: String) throws {
        try FileManager.default.removeItem(atPath: try backup(named: name).path)
    }

    /// Deletes, for each kind of ``retention`` (`db-*`, `pre-migrate-*`, `pre-restore-*`), the oldest files
    /// beyond the number kept; returns the names deleted. Files named in `sparing` (paths or names, such
    /// as the backup just written) are never deleted, and count among the ones kept of their kind.
    @discardableResult
    public func prune(sparing: [String] = []) throws -> [String] {
        let names = Set(sparing.map { ($0 as NSString).lastPathComponent })
        let all = try list()
        let spared = all.filter { names.contains($0.name) }
        let backups = all.filter { !names.contains($0.name) }
        var deleted: [String] = []
        for (prefix, keep) in retention {
            guard let keep else { continue }
            // A spared file takes its place among the kept ones (the one just written is the newest).
            let sparedOfKind = spared.filter { $0.name.hasPrefix(prefix) }.count
            let doomed = backups.filter { $0.name.hasPrefix(prefix) }.dropFirst(max(0, keep - sparedOfKind))
            for backup in doomed {
                try FileManager.default.removeItem(atPath: backup.path)
                deleted.append(backup.name)
            }
        }
        return deleted
    }

    static func info(path: String) throws -> BackupInfo {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return BackupInfo(name: (path as NSString).lastPathComponent, path: path,
                          size: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                          createdAt: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
    }

    /// Runs gzip with `arguments`, writing its standard output to `output`.
    static func runGzip(_ arguments: [String], output: String) throws {
        guard let gzipPath else { throw BackupError("gzip is not installed (looked in /usr/bin and /bin); install it or omit --gzip") }
        let temporary = output + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try createPrivateFile(temporary)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzipPath)
        process.arguments = arguments
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw BackupError("gzip \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        try? FileManager.default.removeItem(atPath: output)
        try FileManager.default.moveItem(atPath: temporary, toPath: output)
    }

    /// Creates an empty file at `path` with mode 0600 (whatever the umask), failing if one exists.
    static func createPrivateFile(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
    }
}
