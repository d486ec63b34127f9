import CroftSQL
import Foundation
import Testing

@Suite struct MigratorTests {
    static let createUsers = Migration(
        "0001_create_users",
        up: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)",
        down: "DROP TABLE users"
    )
    static let createPosts = Migration(
        "0002_create_posts",
        up: """
            CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL);
            CREATE INDEX posts_user ON posts (user_id);
            """,
        down: "DROP TABLE posts"
    )
    static let seed = Migration("0003_seed", version: "1") { db in
        try db.execute("INSERT INTO users (email) VALUES (?)", "admin@example.com")
    }

    static func tables(_ pool: DatabasePool) throws -> [String] {
        try pool.readSync { db in
            try db.fetchAll("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { try $0.string("name") }
        }
    }

    @Test func checksumsAreSHA256OfTheSQL() {
        // FIPS 180-4 test vectors, including a two-block message.
        #expect(Migration("a", up: "abc").checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Migration("a", up: "").checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Migration("a", up: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").checksum
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Migration("a", version: "1") { _ in }.checksum != Migration("a", version: "2") { _ in }.checksum)
    }

    @Test func appliesInOrderAndRecordsEachMigration() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let migrator = Migrator([Self.createUsers, Self.createPosts, Self.seed])
        #expect(try migrator.hasPending(pool))
        #expect(try migrator.pendingMigrations(pool).map(\.name) == ["0001_create_users", "0002_create_posts", "0003_seed"])
        let before = Date().addingTimeInterval(-1)
        let result = try migrator.migrate(pool)
        #expect(result.applied == ["0001_create_users", "0002_create_posts", "0003_seed"])
        #expect(result.backupPath == nil)
        let applied = try migrator.appliedMigrations(pool)
        #expect(applied.map(\.name) == result.applied)
        #expect(applied.allSatisfy { $0.appliedAt > before && $0.checksum.count == 64 })
        #expect(applied[0].checksum == Self.createUsers.checksum)
        #expect(try !migrator.hasPending(pool))
        #expect(try migrator.migrate(pool).applied.isEmpty)
        #expect(try Self.tables(pool) == ["posts", "schema_migrations", "users"])
    }

    @Test func migratesUpToATargetAndRejectsUnknownNames() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let migrator = Migrator([Self.createUsers, Self.createPosts, Self.seed])
        #expect(try migrator.migrate(pool, to: "0001_create_users").applied == ["0001_create_users"])
        #expect(try migrator.pendingMigrations(pool).map(\.name) == ["0002_create_posts", "0003_seed"])
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(pool, to: "0099_nope") }
        #expect(error?.kind == .unknownMigration)
        #expect(error?.description.contains("0099_nope") == true)
    }

    @Test func aFailingMigrationLeavesTheDatabaseAtThePreviousVersion() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let broken = Migration("0002_broken", up: """
            CREATE TABLE half (x);
            INSERT INTO half VALUES (1);
            INSERT INTO no_such_table VALUES (1);
            """)
        let migrator = Migrator([Self.createUsers, broken, Self.seed])
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(pool) }
        #expect(error?.kind == .failed)
        #expect(error?.migration == "0002_broken")
        #expect(error?.description.contains("no such table: no_such_table") == true)
        #expect(error?.underlying?.code == 1)
        #expect(try migrator.appliedMigrations(pool).map(\.name) == ["0001_create_users"])
        #expect(try Self.tables(pool) == ["schema_migrations", "users"])
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM users") } == 0)
    }

    @Test func foreignKeyViolationsRollTheMigrationBack() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let orphan = Migration("0003_orphan", up: "INSERT INTO posts (user_id, title) VALUES (42, 'orphan')", disablesForeignKeys: true)
        let migrator = Migrator([Self.createUsers, Self.createPosts, orphan])
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(pool) }
        #expect(error?.kind == .foreignKeyViolation)
        #expect(error?.migration == "0003_orphan")
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM posts") } == 0)
        #expect(try pool.writeSync { try $0.pragma("foreign_keys") } == 1)
    }

    @Test func editingAnAppliedMigrationIsAnError() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        try Migrator([Self.createUsers]).migrate(pool)
        let edited = Migration("0001_create_users", up: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        let migrator = Migrator([edited, Self.createPosts])
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(pool) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.migration == "0001_create_users")
        #expect(error?.description.contains("edited after it was applied") == true)
        #expect(throws: MigrationError.self) { try migrator.pendingMigrations(pool) }
        #expect(try Self.tables(pool) == ["schema_migrations", "users"])
    }

    @Test func sqlToApplyPrintsAndChangesNothing() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let migrator = Migrator([Self.createUsers, Self.createPosts, Self.seed])
        let sql = try migrator.sqlToApply(pool)
        #expect(sql.contains("-- 0001_create_users\nCREATE TABLE users"))
        #expect(sql.contains("CREATE INDEX posts_user"))
        #expect(sql.contains("0003_seed runs Swift code"))
        #expect(try Self.tables(pool) == [])
        #expect(try migrator.appliedMigrations(pool).isEmpty)
    }

    @Test func revertRunsDownAndRefusesIrreversibleMigrations() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let migrator = Migrator([Self.createUsers, Self.createPosts, Self.seed])
        try migrator.migrate(pool)
        let error = #expect(throws: MigrationError.self) { try migrator.revert(pool, count: 2) }
        #expect(error?.kind == .irreversible)
        #expect(error?.migration == "0003_seed")
        #expect(try migrator.appliedMigrations(pool).count == 3)

        let reversible = Migrator([Self.createUsers, Self.createPosts])
        let directory2 = TemporaryDirectory()
        let pool2 = try DatabasePool(path: directory2.file("db.sqlite3"))
        defer { pool2.close() }
        try reversible.migrate(pool2)
        #expect(try reversible.revert(pool2).reverted == ["0002_create_posts"])
        #expect(try Self.tables(pool2) == ["schema_migrations", "users"])
        #expect(try reversible.pendingMigrations(pool2).map(\.name) == ["0002_create_posts"])
        #expect(try reversible.revert(pool2, count: 5).reverted == ["0001_create_users"])
        #expect(try Self.tables(pool2) == ["schema_migrations"])
        #expect(try reversible.revert(pool2).isEmpty)
    }

    @Test func revertRefusesAnEditedMigrationAndChangesNothing() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let migrator = Migrator([Self.createUsers, Self.createPosts])
        try migrator.migrate(pool)
        try pool.writeSync { try $0.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE name = '0001_create_users'") }
        // The edited migration is not even the one being reverted: any edit means the code and the
        // database disagree, and running a `down` on that basis could drop the wrong thing.
        let error = #expect(throws: MigrationError.self) { try migrator.revert(pool) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.migration == "0001_create_users")
        #expect(try Self.tables(pool) == ["posts", "schema_migrations", "users"])
        #expect(try migrator.appliedMigrations(pool).count == 2)
    }

    @Test func migratingToAnEarlierTargetRevertsTheLaterOnesAfterABackup() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let backups = directory.file("backups")
        let migrator = Migrator([Self.createUsers, Self.createPosts])
        try migrator.migrate(pool)
        try pool.writeSync { try $0.execute("INSERT INTO users (email) VALUES ('a@example.com')") }

        let preview = try migrator.sqlToApply(pool, to: "0001_create_users")
        #expect(preview.hasPrefix("-- revert 0002_create_posts\nDROP TABLE posts"))
        #expect(try Self.tables(pool) == ["posts", "schema_migrations", "users"])  // a preview changes nothing

        let back = try migrator.migrate(pool, to: "0001_create_users", backupDirectory: backups)
        #expect(back.reverted == ["0002_create_posts"])
        #expect(back.applied.isEmpty)
        let backup = try #require(back.backupPath)
        #expect(try Connection(path: backup).fetchValue(Int.self, "SELECT count(*) FROM sqlite_schema WHERE name = 'posts'") == 1)
        #expect(try Self.tables(pool) == ["schema_migrations", "users"])
        #expect(try migrator.pendingMigrations(pool).map(\.name) == ["0002_create_posts"])
        #expect(try migrator.migrate(pool, to: "0001_create_users").isEmpty)  // already there

        let forward = try migrator.migrate(pool)
        #expect(forward.applied == ["0002_create_posts"])
        #expect(forward.reverted.isEmpty)

        // A target behind an irreversible migration is refused before anything changes.
        let withSeed = Migrator([Self.createUsers, Self.createPosts, Self.seed])
        try withSeed.migrate(pool)
        let error = #expect(throws: MigrationError.self) { try withSeed.migrate(pool, to: "0001_create_users") }
        #expect(error?.kind == .irreversible)
        #expect(error?.migration == "0003_seed")
        #expect(try withSeed.appliedMigrations(pool).count == 3)
        #expect(try Self.tables(pool) == ["posts", "schema_migrations", "users"])
    }

    @Test func backsUpBeforeMigratingADatabaseThatHoldsData() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        let backups = directory.file("backups")
        let first = try Migrator([Self.createUsers]).migrate(pool, backupDirectory: backups)
        #expect(first.backupPath == nil)  // nothing to lose yet
        try pool.writeSync { try $0.execute("INSERT INTO users (email) VALUES ('a@example.com')") }
        let second = try Migrator([Self.createUsers, Self.createPosts]).migrate(pool, backupDirectory: backups)
        let path = try #require(second.backupPath)
        let name = (path as NSString).lastPathComponent
        #expect(name.range(of: #"^pre-migrate-\d{8}-\d{6}\.sqlite3$"#, options: .regularExpression) != nil)
        let copy = try Connection(path: path)
        #expect(try copy.fetchValue(Int.self, "SELECT count(*) FROM users") == 1)
        #expect(try copy.fetchValue(Int.self, "SELECT count(*) FROM sqlite_schema WHERE name = 'posts'") == 0)
    }

    @Test func twoProcessesMigratingAtOnceApplyEachMigrationOnce() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("db.sqlite3")
        try DatabasePool(path: path).close()
        let first = try TestHelper.start(["migrate", path])
        let second = try TestHelper.start(["migrate", path])
        var outputs: [[String]] = []
        for (process, output) in [first, second] {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            outputs.append(String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        let all = ["0001_create_accounts", "0002_slow_seed", "0003_add_email"]
        #expect(outputs.sorted { $0.count < $1.count } == [[], all])
        let pool = try DatabasePool(path: path)
        defer { pool.close() }
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM accounts") } == 1)
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM schema_migrations") } == 3)
    }

    @Test func processesStartingTogetherOnANewFileAllOpenItAndMigrateOnce() async throws {
        // Containers starting at once on an empty volume: each creates the pool, which switches the new
        // file to WAL, then migrates; one applies everything and the others find nothing pending.
        // (MigrateCommandTests.twoMigratesStartedTogetherOnANewVolumeBothSucceed starts two `app migrate`
        // from one shell line, which hits the WAL-switch race far more often than spawning from here.)
        let all = ["0001_create_accounts", "0002_slow_seed", "0003_add_email"]
        for round in 0..<5 {
            let directory = TemporaryDirectory()
            let path = directory.file("db.sqlite3")
            // Every child waits for the same instant before opening the file, so they really race.
            let startAt = String(Int((Date().timeIntervalSince1970 + 0.5) * 1000))
            let children = try (0..<4).map { _ in try TestHelper.start(["migrate", path, startAt]) }
            let results = try await offCooperativePool {
                children.map { process, output in
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return (process.terminationStatus, String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
                }
            }
            #expect(results.map(\.0) == [0, 0, 0, 0], "round \(round)")
            let outputs = results.map(\.1)
            #expect(outputs.sorted { $0.count < $1.count } == [[], [], [], all], "round \(round)")
        }
    }

    @Test func rebuildTableChangesAColumnInOneCall() throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        try Migrator([Self.createUsers, Self.createPosts]).migrate(pool)
        try pool.writeSync { db in
            try db.execute("INSERT INTO users (email) VALUES ('a@example.com')")
            try db.execute("INSERT INTO posts (user_id, title) VALUES (1, 'first')")
        }
        // Outside a migration: one call.
        try pool.writeWithoutTransactionSync { db in
            try db.rebuildTable("posts",
                                newDefinition: "(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL, slug TEXT NOT NULL)",
                                columnMapping: ["slug": "lower(title)"])
        }
        // Inside a migration that declares foreign keys off.
        let dropSlug = Migration("0003_drop_slug", version: "1", disablesForeignKeys: true) { db in
            try db.rebuildTable("posts", newDefinition: "(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), headline TEXT NOT NULL)",
                                columnMapping: ["headline": "title || ' (' || slug || ')'"])
        }
        try Migrator([Self.createUsers, Self.createPosts, dropSlug]).migrate(pool)
        let (row, indexes, foreignKeys) = try pool.readSync { db in
            (try db.fetchOne("SELECT * FROM posts"),
             try db.fetchAll("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'posts'").map { try $0.string("name") },
             try db.pragma("foreign_keys"))
        }
        #expect(row?.columns.names == ["id", "user_id", "headline"])
        #expect(row?["headline"] == .text("first (first)"))
        #expect(indexes == ["posts_user"])
        #expect(foreignKeys == 1)
        // Inside a transaction with foreign keys on, it refuses rather than cascading.
        #expect(throws: SQLiteError.self) {
            try pool.writeSync { db in try db.rebuildTable("posts", newDefinition: "(id INTEGER PRIMARY KEY)") }
        }
    }
}
