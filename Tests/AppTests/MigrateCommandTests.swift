import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `app migrate` and friends, run as the real binary against real SQLite files in a temp dir.
@Suite struct MigrateCommandTests: AppCommandSuite {
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
        let preview = try await app("migrate", "--sql")
        #expect(preview.status == 0)
        #expect(preview.output.contains("-- 0001_create_users\nCREATE TABLE users"))
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
        #expect(results.allSatisfy { $0.status == 0 })
        #expect(results.filter { $0.output.contains("applied 0001_create_users") }.count == 1)
        #expect(results.filter { $0.output.contains("no migrations to apply") }.count == 1)
        #expect(try query(Int.self, "SELECT count(*) FROM schema_migrations") == Site.migrations.count)
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
