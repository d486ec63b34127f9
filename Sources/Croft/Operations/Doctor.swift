import Foundation

/// Checks a deployment for SQLite's known footguns and says how to fix each (like Django's `check --deploy`).
///
/// Run by `app doctor`, at start-up of `app serve` (findings go to the log), and available as data for
/// the staff dashboard.
public struct Doctor: Sendable {
    /// The data directory (`data/`).
    public let dataDirectory: String
    /// The main database file.
    public let databasePath: String
    /// Where backups are.
    public let backups: BackupStore
    /// How many other processes may have the database open before it is a finding (the CLI allows the server).
    public let allowedOtherHolders: Int
    /// Settings that did not parse or that SQLite would ignore (`Settings.problems`); each is an error.
    public let settingsProblems: [String]

    /// Creates a doctor for these paths.
    public init(dataDirectory: String, databasePath: String, backups: BackupStore, allowedOtherHolders: Int = 0,
                settingsProblems: [String] = []) {
        self.dataDirectory = dataDirectory
        self.databasePath = databasePath
        self.backups = backups
        self.allowedOtherHolders = allowedOtherHolders
        self.settingsProblems = settingsProblems
    }

    /// Runs every check; `database` (if open) is used to read the journal mode.
    public func run(database: DatabasePool? = nil, now: Date = Date()) -> [DoctorFinding] {
        [settings(), fileSystem(), writable(), fileModes(), journalMode(database), diskSpace(), holders(), newestBackup(now: now)]
    }

    func settings() -> DoctorFinding {
        settingsProblems.isEmpty
            ? DoctorFinding(check: "settings", severity: .ok, message: "every setting parses", fix: "")
            : DoctorFinding(check: "settings", severity: .error, message: settingsProblems.joined(separator: "; "),
                            fix: "The site refuses to start with these: correct them in the environment or .env (see .env.example).")
    }

    func fileSystem() -> DoctorFinding {
        switch FileSystemKind.of(dataDirectory) {
        case .network(let name):
            DoctorFinding(check: "filesystem", severity: .error, message: "\(dataDirectory) is on \(name), a network file system",
                          fix: "SQLite locks and WAL shared memory are not safe over the network: put data/ on a local disk (a Docker volume or a host directory on local storage).")
        case .fuse(let name):
            DoctorFinding(check: "filesystem", severity: .warning, message: "\(dataDirectory) is on a FUSE file system (\(name))",
                          fix: "Unless the FUSE driver is a local one, SQLite locking can fail there: use a local disk for data/.")
        case .overlay:
            DoctorFinding(check: "filesystem", severity: .warning, message: "\(dataDirectory) is on overlayfs: the container's writable layer, not a volume",
                          fix: "The data is lost when the container is recreated: mount a volume at data/ (docker-compose.yml's `volumes:`).")
        case .local(let name):
            DoctorFinding(check: "filesystem", severity: .ok, message: "\(dataDirectory) is on a local file system (\(name))", fix: "")
        }
    }

    func writable() -> DoctorFinding {
        access(dataDirectory, W_OK | X_OK) == 0
            ? DoctorFinding(check: "writable", severity: .ok, message: "\(dataDirectory) is writable by this user", fix: "")
            : DoctorFinding(check: "writable", severity: .error, message: "\(dataDirectory) is not writable by user \(getuid())",
                            fix: "SQLite creates -wal and -shm files next to the database: `chown -R \(getuid()) \(dataDirectory)`.")
    }

    func journalMode(_ database: DatabasePool?) -> DoctorFinding {
        let mode: String?
        if let database {
            mode = try? database.readSync { db in try db.fetchValue(String.self, "PRAGMA journal_mode") }
        } else if FileManager.default.fileExists(atPath: databasePath), let connection = try? Connection(path: databasePath, role: .reader) {
            mode = try? connection.fetchValue(String.self, "PRAGMA journal_mode")
            connection.close()
        } else {
            return DoctorFinding(check: "wal", severity: .ok, message: "no database yet; it is created in WAL mode", fix: "")
        }
        return mode?.lowercased() == "wal"
            ? DoctorFinding(check: "wal", severity: .ok, message: "the database is in WAL mode", fix: "")
            : DoctorFinding(check: "wal", severity: .error, message: "the database is in \(mode ?? "an unknown") journal mode, not WAL",
                            fix: "Readers then block the writer. Start the site once (`app serve` sets WAL) or run `sqlite3 \(databasePath) 'PRAGMA journal_mode=WAL'`.")
    }

    func diskSpace() -> DoctorFinding {
        var info = statvfs()
        guard statvfs(dataDirectory, &info) == 0 else {
            return DoctorFinding(check: "disk", severity: .warning, message: "cannot read free space of \(dataDirectory)", fix: "Check that it exists.")
        }
        // Some FUSE and object-store mounts report "unlimited": saturate instead of trapping.
        let free = Self.bytes(blocks: info.f_bavail, size: info.f_frsize)
        let size = Self.fileSize(databasePath) + Self.fileSize(databasePath + "-wal")
        let text = "\(Self.megabytes(free)) free, database \(Self.megabytes(size))"
        return free >= 2 * size
            ? DoctorFinding(check: "disk", severity: .ok, message: text, fix: "")
            : DoctorFinding(check: "disk", severity: .error, message: text + ": less than twice the database size",
                            fix: "VACUUM, backups and migrations need room for a full copy: free space or grow the volume.")
    }

    func holders() -> DoctorFinding {
        let others = OpenFileScanner.holders(of: databasePath)
        let list = others.map { "pid \($0.pid) (\($0.command))" }.joined(separator: ", ")
        if others.count > allowedOtherHolders {
            return DoctorFinding(check: "holders", severity: .warning, message: "other processes have the database open: \(list)",
                                 fix: "Two servers on one database (an old container still running, a second replica) fight for the write lock: stop the extra one.")
        }
        return DoctorFinding(check: "holders", severity: .ok,
                             message: others.isEmpty ? "no other process has the database open" : "held by \(list)", fix: "")
    }

    func newestBackup(now: Date) -> DoctorFinding {
        let newest = (try? backups.list())?.first { $0.name.hasPrefix("db-") }
        guard let newest else {
            return DoctorFinding(check: "backups", severity: .warning, message: "no verified backup in \(backups.directory)",
                                 fix: "Run `app backup` now; `app worker` (or `app serve` with RUN_WORKER_IN_SERVER) takes one nightly.")
        }
        let age = now.timeIntervalSince(newest.createdAt)
        return age <= 86_400
            ? DoctorFinding(check: "backups", severity: .ok, message: "newest backup \(newest.name), \(Int(age / 3600)) h old (verified when taken)", fix: "")
            : DoctorFinding(check: "backups", severity: .warning, message: "newest backup \(newest.name) is \(Int(age / 3600)) h old",
                            fix: "The nightly backup job is not running: start a worker (`app worker` or RUN_WORKER_IN_SERVER=true), or run `app backup`.")
    }

    /// The size of a file in bytes, 0 when it does not exist.
    public static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Bytes as "12.3 MB" for messages.
    public static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    /// `blocks × size` as an Int64, saturating at `Int64.max` (a file system may report any value).
    public static func bytes(blocks: some BinaryInteger, size: some BinaryInteger) -> Int64 {
        let (product, overflow) = Int64(clamping: blocks).multipliedReportingOverflow(by: Int64(clamping: size))
        return overflow ? .max : max(0, product)
    }
}
