import Foundation

/// The backups of the main database in `data/backups/`: create (online backup API, verified with
/// `integrity_check`, optionally gzipped), list, delete, keep the newest N, and stream one for download.
///
/// Only the main database is backed up; the cache (`cache.sqlite3`) is ephemeral.
///
/// ```swift
/// let backups = BackupStore(directory: "data/backups", keep: 14)
/// let info = try backups.create(from: database, gzip: true)
/// ```
public struct BackupStore: Sendable {
    /// Where backups are written and listed.
    public let directory: String
    /// How many `db-*` backups to keep (older ones are deleted after each new one); nil keeps all.
    public let keep: Int?
    /// The gzip executable used for `--gzip` (found on `PATH`-like standard places).
    public static let gzipPath = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Creates a store over `directory`.
    public init(directory: String, keep: Int? = 14) {
        self.directory = directory
        self.keep = keep
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
    /// with `integrity_check`, gzips it if asked, then prunes to ``keep``. `destination` overrides the path.
    ///
    /// The copy is written to a `.partial` file and renamed only once verified, so every `db-*` file in
    /// the directory is a verified backup.
    @discardableResult
    public func create(from database: DatabasePool, gzip: Bool = false, destination: String? = nil,
                       prefix: String = "db", date: Date = Date()) throws -> BackupInfo {
        var final = destination ?? directory + "/" + Self.fileName(for: date, prefix: prefix)
        if gzip && !final.hasSuffix(".gz") { final += ".gz" }
        let parent = (final as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent.isEmpty ? "." : parent, withIntermediateDirectories: true)
        let partial = parent + "/." + ((final as NSString).lastPathComponent) + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }
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
        if destination == nil { try prune() }
        return try Self.info(path: final)
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

    /// Deletes the oldest `db-*` backups beyond ``keep``; returns the names deleted.
    @discardableResult
    public func prune() throws -> [String] {
        guard let keep else { return [] }
        let scheduled = try list().filter { $0.name.hasPrefix("db-") }
        let doomed = scheduled.dropFirst(max(0, keep))
        for backup in doomed { try FileManager.default.removeItem(atPath: backup.path) }
        return doomed.map(\.name)
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
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw BackupError("cannot create \(temporary)")
        }
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
}
