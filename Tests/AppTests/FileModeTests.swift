import App
import Croft
import CroftTesting
import Foundation
import Testing

/// The real `app` binary started under a given umask (as a shell, a container or systemd would start it):
/// what it creates is closed to other users, and `app doctor` names what is not.
@Suite struct FileModeTests: AppCommandSuite {
    let directory: TemporaryDirectory
    var data: String { directory.path + "/data" }

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// Runs `app arguments...` from `/bin/sh` after `umask mask`.
    private func app(umask mask: String, _ arguments: String...) async throws -> (status: Int32, output: String) {
        try await app(umask: mask, arguments)
    }

    private func app(umask mask: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await shell(["-c", "umask \(mask) && exec \"$@\"", "sh", AppProcess.binary] + arguments)
    }

    /// Runs `/bin/sh arguments...` in ``directory`` with `BASE_DIR` set, as `AppProcess.run` runs `app`.
    private func shell(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await AppProcess.run(arguments, baseDirectory: directory.path, executable: "/bin/sh")
    }

    /// The permission bits of `path`, nil when it does not exist.
    private func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode) & 0o7777 : nil
    }

    /// Inserts a row from this process; returns the modes of the `-wal` and `-shm` while the database is open.
    @discardableResult
    private func insertRow() throws -> (wal: Int?, shm: Int?) {
        let pool = try DatabasePool(path: databasePath)
        defer { pool.close() }
        try pool.writeSync { db in try db.execute("CREATE TABLE IF NOT EXISTS widgets (id INTEGER PRIMARY KEY)") }
        try pool.writeSync { db in try db.execute("INSERT INTO widgets DEFAULT VALUES") }
        return (mode(databasePath + "-wal"), mode(databasePath + "-shm"))
    }

    private func backups(_ prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: data + "/backups").filter { $0.hasPrefix(prefix) }.sorted()
    }

    @Test func underAnOpenUmaskTheDataDirectoryDatabaseAndBackupsStayClosed() async throws {
        let migrated = try await app(umask: "000", "migrate")
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(mode(data) == 0o750)
        #expect(mode(databasePath) == 0o640)
        // From this process (umask 022): SQLite gives the -wal and -shm the database's mode, not the umask's.
        let open = try insertRow()
        #expect(open.wal == 0o640 && open.shm == 0o640)

        for arguments in [["backup"], ["backup", "--gzip"], ["backup", "--to", directory.path + "/copy.sqlite3"], ["migrate", "--revert"], ["migrate"]] {
            let result = try await app(umask: "000", arguments)
            #expect(result.status == 0, "\(arguments): \(result.output)")
        }
        let scheduled = try backups("db-")
        #expect(scheduled.count == 2)
        let preMigrate = try backups("pre-migrate-")
        #expect(preMigrate.count == 2)
        let name = try #require(scheduled.first)
        let restored = try await app(umask: "000", "restore", name)
        #expect(restored.status == 0, "\(restored.output)")
        let preRestore = try backups("pre-restore-")
        #expect(preRestore.count == 1)
        for file in scheduled + preMigrate + preRestore {
            #expect(mode(data + "/backups/" + file) == 0o600, "\(file)")
        }
        #expect(mode(directory.path + "/copy.sqlite3") == 0o600)
        #expect(mode(data + "/backups").map { $0 & 0o007 } == 0)

        let doctor = try await app(umask: "000", "doctor")
        #expect(doctor.output.contains("ok      modes: \(data), the database, the key and the backups are closed to other users"), "\(doctor.output)")
    }

    @Test func aStricterUmaskIsKept() async throws {
        let migrated = try await app(umask: "077", "migrate")
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(mode(data) == 0o700)
        #expect(mode(databasePath) == 0o600)
    }

    @Test func doctorNamesLooseModesAndItsChmodClosesThem() async throws {
        #expect(try await app(umask: "022", "migrate").status == 0)
        try insertRow()
        #expect(try await app(umask: "022", "backup").status == 0)
        let backup = data + "/backups/" + (try #require(try backups("db-").first))
        try "0123456789abcdef0123456789abcdef\n".write(toFile: data + "/.secret_key", atomically: false, encoding: .utf8)
        for (path, loose) in [(data, 0o755), (databasePath, 0o644), (data + "/.secret_key", 0o644), (backup, 0o644)] {
            #expect(chmod(path, mode_t(loose)) == 0)
        }
        let doctor = try await app(umask: "022", "doctor")
        #expect(doctor.status == 0, "loose modes are a warning: \(doctor.output)")
        #expect(doctor.output.contains("WARNING modes: \(data) is 0755 (readable by others); \(databasePath) is 0644 (readable by others)"), "\(doctor.output)")
        #expect(doctor.output.contains("\(data)/.secret_key is 0644 (readable by group and others)"))
        #expect(doctor.output.contains("\(backup) is 0644 (readable by group and others)"))
        let line = try #require(doctor.output.split(separator: "\n").first { $0.contains("fix: Other users") })
        let command = try #require(line.split(separator: "`").dropFirst().first.map(String.init))
        #expect(command.hasPrefix("chmod 750 \(data) && chmod 640 \(databasePath) && chmod 600 "))
        let fixed = try await shell(["-c", command])
        #expect(fixed.status == 0, "\(fixed.output)")
        let again = try await app(umask: "022", "doctor")
        #expect(again.output.contains("ok      modes:"), "\(again.output)")
    }
}
