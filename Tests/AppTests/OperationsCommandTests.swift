import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `app backup`, `restore`, `check`, `doctor`, `maintenance`, `cache clear` and `worker`, as the real binary.
@Suite(.bothPollers) struct OperationsCommandTests: AppCommandSuite {
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

    /// The backup files (`.sqlite3`, `.sqlite3.gz`) in `folder` whose names start with `prefix`, sorted.
    private func files(in folder: String, prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) && ($0.hasSuffix(".sqlite3") || $0.hasSuffix(".sqlite3.gz")) }.sorted()
    }

    @Test func serveRefusesAnEmptySecretKeyFileNamingItAndTheFix() async throws {
        let key = directory.path + "/data/.secret_key"
        try FileManager.default.createDirectory(atPath: directory.path + "/data", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: key, contents: Data(" \n".utf8)))
        let serve = try await app("serve", "--port", "0", "--without-worker")
        #expect(serve.status != 0, "\(serve.output)")
        #expect(serve.output.contains("cannot use the secret key file \(key): it holds only whitespace."), "\(serve.output)")
        #expect(serve.output.contains("Delete it to have a new key generated at the next start"))
        #expect(!serve.output.contains("listening on"))
        #expect(try String(contentsOfFile: key, encoding: .utf8) == " \n")
    }

    @Test func backupDirIsWhereMigrateAndServePutTheirPreMigrateCopies() async throws {
        let elsewhere = directory.path + "/elsewhere"
        let environment = ["BACKUP_DIR": "elsewhere"]
        #expect(try await app("migrate", environment: environment).status == 0)
        try execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY, title TEXT)")
        try execute("INSERT INTO widgets (title) VALUES ('kept')")
        let reverted = try await app("migrate", "--revert", environment: environment)
        #expect(reverted.status == 0, "\(reverted.output)")
        #expect(reverted.output.contains("backup: \(elsewhere)/pre-migrate-"), "\(reverted.output)")
        #expect(files(in: elsewhere, prefix: "pre-migrate-").count == 1)
        // `app serve` in development applies the pending migration, after its backup, into the same place.
        let server = try ServeCommandTests.RunningApp(baseDirectory: directory.path, arguments: ["serve", "--port", "0", "--without-worker"],
                                                      environment: environment)
        _ = try await server.port()
        kill(server.process.processIdentifier, SIGTERM)
        #expect(try await server.waitForExit() == 0)
        #expect(server.output.contains("backup before migrating: \(elsewhere)/pre-migrate-"), "\(server.output)")
        #expect(files(in: elsewhere, prefix: "pre-migrate-").count == 2)
        #expect(files(in: directory.path + "/data/backups", prefix: "").isEmpty)
    }

    @Test func preMigrateAndPreRestoreCopiesArePrunedToTheirSettings() async throws {
        let backups = directory.path + "/data/backups"
        let environment = ["BACKUP_KEEP_PRE_MIGRATE": "2", "BACKUP_KEEP_PRE_RESTORE": "1"]
        #expect(try await app("migrate").status == 0)
        try execute("CREATE TABLE widgets (id INTEGER PRIMARY KEY, title TEXT)")
        try execute("INSERT INTO widgets (title) VALUES ('kept')")
        var written: [String] = []
        for _ in 0..<3 {
            for arguments in [["migrate", "--revert"], ["migrate"]] {
                let result = try await AppProcess.run(arguments, baseDirectory: directory.path, environment: environment)
                #expect(result.status == 0, "\(result.output)")
                let line = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("backup: ") })
                written.append(String(line.dropFirst("backup: ".count)))
            }
        }
        #expect(written.count == 6)
        // The newest two of the six are kept, the one just written among them.
        #expect(files(in: backups, prefix: "pre-migrate-").map { backups + "/" + $0 }.sorted() == written.suffix(2).sorted())
        #expect(try await app("backup").status == 0)
        for _ in 0..<2 {
            let restore = try await app("restore", try #require(files(in: backups, prefix: "db-").first), environment: environment)
            #expect(restore.status == 0, "\(restore.output)")
        }
        #expect(files(in: backups, prefix: "pre-restore-").count == 1)
        // `app backup` prunes every kind: with the defaults (5 each) nothing more goes; with 1, one pre-migrate stays.
        #expect(try await app("backup", environment: ["BACKUP_KEEP_PRE_MIGRATE": "1"]).status == 0)
        #expect(files(in: backups, prefix: "pre-migrate-").map { backups + "/" + $0 } == [written[5]])
        #expect(files(in: backups, prefix: "db-").count == 2)
    }
}
