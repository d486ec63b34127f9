import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `app migrate` and friends, run as the real binary against real SQLite files in a temp dir.
@Suite(.bothPollers) struct MigrateCommandTests: AppCommandSuite {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func query<T: DatabaseValueConvertible & Sendable>(_ type: T.Type, _ sql: String) throws -> T? {
        let pool = try DatabasePool(path: databasePath)
        defer { pool.close() }
        return try pool.readSync { db in try db.fetchValue(T.self, sql) }
    }

    @Test func appliesListsAndChecks() async throws {
        let before = try await app("migrate", "--check")
        #expect(before.status == 1)
        #expect(before.output.contains("pending: 0001_create_users"))
        let applied = try await app("migrate")
        #expect(applied.status == 0)
        #expect(applied.output.contains("applied 0001_create_users"))
        #expect(!applied.output.contains("backup:"))  // an empty database needs no backup
        let list = try await app("migrate", "--list")
        #expect(list.output.contains("[x] 0001_create_users  applied 20"))
        #expect(try await app("migrate", "--check").status == 0)
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
    }

    @Test func previewChangesNothing() async throws {
        // With no database yet, looking creates nothing at all, not even data/.
        let fresh = try await app("migrate", "--sql")
        #expect(fresh.status == 0)
        #expect(fresh.output.contains("-- 0001_create_users\nCREATE TABLE users"))
        let list = try await app("migrate", "--list")
        #expect(list.status == 0 && list.output.contains("[ ] 0001_create_users  pending"))
        let check = try await app("migrate", "--check")
        #expect(check.status == 1 && check.output.contains("pending: 0001_create_users"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/data"))
        // With a database, the preview reads it and changes nothing.
        try DatabasePool(path: databasePath).close()
        let preview = try await app("migrate", "--sql")
        #expect(preview.status == 0)
        #expect(preview.output == fresh.output)
        #expect(try query(Int.self, "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'schema_migrations')") == 0)
    }

    @Test func backsUpADatabaseThatHoldsDataUnlessToldNot() async throws {
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in try db.executeScript("CREATE TABLE legacy (x); INSERT INTO legacy VALUES (42);") }
        pool.close()
        let result = try await app("migrate")
        #expect(result.status == 0)
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/data/backups")
        #expect(backups.count == 1)
        #expect(backups[0].hasPrefix("pre-migrate-") && backups[0].hasSuffix(".sqlite3"))
        let copy = try DatabasePool(path: directory.path + "/data/backups/" + backups[0])
        defer { copy.close() }
        #expect(try copy.readSync { db in try db.fetchValue(Int.self, "SELECT x FROM legacy") } == 42)
        #expect(try copy.readSync { db in try db.fetchValue(Int.self, "SELECT count(*) FROM sqlite_master WHERE name = 'users'") } == 0)
    }

    @Test func twoProcessesMigratingAtOnceApplyEachMigrationOnce() async throws {
        async let first = app("migrate", "--no-backup")
        async let second = app("migrate", "--no-backup")
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.output))")
        #expect(results.filter { $0.output.contains("applied 0001_create_users") }.count == 1)
        #expect(results.filter { $0.output.contains("no migrations to apply") }.count == 1)
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
    }

    @Test func twoMigratesStartedTogetherOnANewVolumeBothSucceed() async throws {
        // Two containers starting at once on an empty volume. Launched from one shell line the two
        // processes switch the new file to WAL in the same instant, which SQLite answers with
        // SQLITE_BUSY without waiting; before the writer retried it, about half of these rounds failed
        // with "database is locked".
        // Each in a subshell that waits for it in the foreground: the shell's `wait` builtin relies on
        // SIGCHLD, which a child of Foundation's Process may have blocked.
        let script = #"""
            ("$APP" migrate --no-backup > out1 2>&1; echo $? > status1) &
            ("$APP" migrate --no-backup > out2 2>&1; echo $? > status2) &
            """#
        for round in 0..<6 {
            let base = try TemporaryDirectory()
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", script]
            shell.currentDirectoryURL = URL(fileURLWithPath: base.path)
            var environment = ProcessInfo.processInfo.environment
            environment["APP"] = AppProcess.binary
            environment["BASE_DIR"] = base.path
            for name in ["ENVIRONMENT", "DATABASE_PATH", "DATA_DIR"] { environment.removeValue(forKey: name) }
            shell.environment = environment
            try shell.run()
            let read = { (name: String) in (try? String(contentsOfFile: base.path + "/" + name, encoding: .utf8)) ?? "" }
            let deadline = Date().addingTimeInterval(60)
            while (read("status1").isEmpty || read("status2").isEmpty) && Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let outputs = [read("out1"), read("out2")]
            #expect([read("status1"), read("status2")] == ["0\n", "0\n"], "round \(round): \(outputs)")
            #expect(outputs.filter { $0.contains("no migrations to apply") }.count == 1, "round \(round): \(outputs)")
        }
    }

    @Test func refusesAnEditedMigrationByName() async throws {
        #expect(try await app("migrate").status == 0)
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in try db.execute("UPDATE schema_migrations SET checksum = 'tampered'") }
        pool.close()
        let result = try await app("migrate")
        #expect(result.status != 0)
        #expect(result.output.contains("0001_create_users"))
        #expect(result.output.contains("edited after it was applied"))
    }

    @Test func revertsWithDown() async throws {
        #expect(try await app("migrate").status == 0)
        let reverted = try await app("migrate", "--revert", "\(Site.migrations.count)")
        #expect(reverted.status == 0)
        #expect(reverted.output.contains("reverted 0001_create_users"))
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == 0)
        #expect(try query(Int.self, "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == 0)
    }

    @Test func revertTakesAnOptionalCountAndSaysWhenThereIsNothingLeft() async throws {
        let names = Site.migrations.map(\.name)
        #expect(try await app("migrate").status == 0)
        let one = try await app("migrate", "--revert")
        #expect(one.status == 0)
        #expect(one.output.contains("reverted \(names[names.count - 1])"))
        #expect(!one.output.contains("reverted \(names[names.count - 2])"))
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == names.count - 1)
        let rest = try await app("migrate", "--revert", "\(names.count + 5)")
        #expect(rest.status == 0)
        #expect(rest.output.contains("reverted \(names[0])"))
        let none = try await app("migrate", "--revert")
        #expect(none.status == 0)
        #expect(none.output.contains("no applied migrations to revert"))
        let strayCount = try await app("migrate", "2")
        #expect(strayCount.status == 64)
        #expect(strayCount.output.contains("A count goes with --revert"))
    }

    @Test func revertRefusesWhenAnAppliedMigrationWasEdited() async throws {
        #expect(try await app("migrate").status == 0)
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in try db.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE name = ?", Site.migrations[0].name) }
        pool.close()
        let result = try await app("migrate", "--revert")
        #expect(result.status == 1)
        #expect(result.output.contains("\(Site.migrations[0].name) was edited after it was applied"))
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
    }

    @Test func toGoesBackAfterABackupAndForwardAgain() async throws {
        let names = Site.migrations.map(\.name)
        #expect(try await app("migrate").status == 0)
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in try db.executeScript("CREATE TABLE legacy (x); INSERT INTO legacy VALUES (42);") }
        pool.close()
        let preview = try await app("migrate", "--sql", "--to", names[0])
        #expect(preview.status == 0)
        #expect(preview.output.contains("-- revert \(names[names.count - 1])"))
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == names.count)
        let back = try await app("migrate", "--to", names[0])
        #expect(back.status == 0)
        #expect(back.output.contains("backup: "))
        for name in names.dropFirst() { #expect(back.output.contains("reverted \(name)")) }
        #expect(try query(String.self, "SELECT group_concat(name) FROM schema_migrations") == names[0])
        #expect(try query(Int.self, "SELECT x FROM legacy") == 42)
        let forward = try await app("migrate", "--to", names[names.count - 1])
        #expect(forward.status == 0)
        for name in names.dropFirst() { #expect(forward.output.contains("applied \(name)")) }
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == names.count)
    }

    @Test func noBackupSkipsTheBackup() async throws {
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in try db.executeScript("CREATE TABLE legacy (x); INSERT INTO legacy VALUES (42);") }
        pool.close()
        let result = try await app("migrate", "--no-backup")
        #expect(result.status == 0)
        #expect(!result.output.contains("backup:"))
        let backups = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/data/backups")) ?? []
        #expect(backups.isEmpty)
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
    }

    @Test func productionServeWithMigrateAppliesThenServes() async throws {
        let app = try ServeCommandTests.RunningApp(
            baseDirectory: directory.path, arguments: ["serve", "--port", "0", "--migrate"],
            environment: ["ENVIRONMENT": "production", "SECRET_KEY": String(repeating: "k", count: 64)])
        let port = try await app.port()
        let health = try await RawClient(port: port).request("GET", "/health")
        #expect(health.status == 200)
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
        kill(app.process.processIdentifier, SIGTERM)
        #expect(try await app.waitForExit() == 0)
    }

    @Test func explainsCommandLineMistakes() async throws {
        let unknown = try await app("migrate", "--to", "0099_nope")
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("no migration is named '0099_nope'"))
        let conflicting = try await app("migrate", "--list", "--check")
        #expect(conflicting.status != 0)
        #expect(conflicting.output.contains("Use only one of"))
    }

    @Test func productionServeRefusesPendingMigrationsUnlessAskedToMigrate() async throws {
        let refused = try await app("serve", "--port", "0", environment: ["ENVIRONMENT": "production"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("migration(s) pending: 0001_create_users"))
        #expect(refused.output.contains("app serve --migrate"))
    }

    @Test func aDatabasePathThatCannotBeOpenedIsNamedWithTheReason() async throws {
        try FileManager.default.createDirectory(atPath: directory.path + "/data/db.sqlite3", withIntermediateDirectories: true)
        let result = try await app("migrate")
        #expect(result.status != 0)
        #expect(result.output.contains(databasePath))
    }

    @Test func makemigrationScaffoldsAndRegistersTheNextNumber() async throws {
        let folder = directory.path + "/Sources/App/Migrations"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for file in try FileManager.default.contentsOfDirectory(atPath: repository + "/Sources/App/Migrations") {
            try FileManager.default.copyItem(atPath: repository + "/Sources/App/Migrations/" + file, toPath: folder + "/" + file)
        }
        let number = String(format: "%04d", Site.migrations.count + 1)
        let result = try await app("makemigration", "add_tags")
        #expect(result.status == 0)
        let created = try String(contentsOfFile: folder + "/\(number)_add_tags.swift", encoding: .utf8)
        #expect(created.contains("static let migration\(number)AddTags = Migration("))
        #expect(created.contains("\"\(number)_add_tags\""))
        let registry = try String(contentsOfFile: folder + "/Migrations.swift", encoding: .utf8)
        #expect(registry.contains("migration\(number)AddTags,\n        // `app makemigration`"))
        let bad = try await app("makemigration", "Bad-Name")
        #expect(bad.status != 0)
        #expect(bad.output.contains("snake_case"))
    }
}
