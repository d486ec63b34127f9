import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `app backup`, `restore`, `check`, `doctor`, `maintenance`, `cache clear` and `worker`, as the real binary.
@Suite struct OperationsCommandTests: AppCommandSuite {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func execute(_ sql: String) throws {
        let pool = try DatabasePool(path: databasePath)
        defer { pool.close() }
        try pool.writeSync { db in try db.execute(sql) }
    }

    private func notes() throws -> [String] {
        let pool = try DatabasePool(path: databasePath)
        defer { pool.close() }
        return try pool.readSync { db in try db.fetchAll("SELECT title FROM widgets ORDER BY id").map { try $0.get(0, as: String.self) } }
    }

    @Test func backupThenRestoreRoundTripsAndKeepsASafetyCopy() async throws {
        #expect(try await app("migrate").status == 0)
        try execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY, title TEXT)")
        try execute("INSERT INTO widgets (title) VALUES ('kept')")
        let backup = try await app("backup", "--gzip")
        #expect(backup.status == 0)
        #expect(backup.output.contains("integrity_check ok"))
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/data/backups").first { $0.hasPrefix("db-") })
        #expect(name.hasSuffix(".sqlite3.gz"))
        try execute("INSERT INTO widgets (title) VALUES ('lost')")
        let restore = try await app("restore", name)
        #expect(restore.status == 0, "\(restore.output)")
        #expect(restore.output.contains("safety copy of the previous database"))
        #expect(try notes() == ["kept"])
        let list = try await app("backup", "--list")
        #expect(list.output.contains(name) && list.output.contains("pre-restore-"))
        let check = try await app("check", "--full")
        #expect(check.status == 0)
        #expect(check.output.contains("integrity_check: ok"))
    }

    @Test func restoreRefusesWhileAServerRunsAndMaintenanceModeBlocksWrites() async throws {
        #expect(try await app("migrate").status == 0)
        #expect(try await app("backup").status == 0)
        let server = try ServeCommandTests.RunningApp(baseDirectory: directory.path, arguments: ["serve", "--port", "0", "--without-worker"])
        let port = try await server.port()
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/data/backups").first)
        let refused = try await app("restore", name)
        #expect(refused.status != 0)
        #expect(refused.output.contains("a server or worker is running"))
        #expect(refused.output.contains("app maintenance on"))

        #expect(try await app("maintenance", "on").status == 0)
        let client = try RawClient(port: port)
        let write = try await client.request("POST", "/", body: "x=1")
        #expect(write.status == 503)
        #expect(write.header("Retry-After") != nil)
        #expect(try await client.request("GET", "/health").status == 200)
        #expect(try await app("maintenance", "off").status == 0)
        kill(server.process.processIdentifier, SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    @Test func commandsFailClearlyWithNonZeroExits() async throws {
        let missing = try await app("restore", "/no/such/backup.sqlite3")
        #expect(missing.status != 0)
        #expect(missing.output.contains("does not exist"))
        let noDatabase = try await app("check")
        #expect(noDatabase.status != 0)
        #expect(noDatabase.output.contains("there is no database at"))
        let badSwitch = try await app("maintenance", "sideways")
        #expect(badSwitch.status != 0)
        let notABackup = directory.path + "/notes.txt"
        try "hello".write(toFile: notABackup, atomically: true, encoding: .utf8)
        let foreign = try await app("restore", notABackup)
        #expect(foreign.status != 0)
        #expect(foreign.output.contains("is not a SQLite database"))
    }

    @Test func doctorCacheClearAndAWorkerThatStopsWhenIdle() async throws {
        #expect(try await app("migrate").status == 0)
        let doctor = try await app("doctor")
        #expect(doctor.output.contains("filesystem:"))
        #expect(doctor.output.contains("backups: no verified backup"))
        #expect(doctor.output.contains("ok      settings: every setting parses"))
        let misconfigured = try await app("doctor", environment: ["SQLITE_TEMP_STORE": "RAM", "REUSE_PORT": "sure"])
        #expect(misconfigured.status != 0)
        #expect(misconfigured.output.contains(#"ERROR   settings: REUSE_PORT="sure" is not one of 1, true, yes, on, 0, false, no, off; temp_store "RAM" is not one of DEFAULT, FILE, MEMORY"#), "\(misconfigured.output)")
        let clear = try await app("cache", "clear")
        #expect(clear.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data/cache.sqlite3"))
        let worker = try await app("worker", "--until-empty")
        #expect(worker.status == 0, "\(worker.output)")
        #expect(worker.output.contains("job worker"))
    }
}
