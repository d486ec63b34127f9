import Foundation
import Synchronization
import Testing
@testable import Croft

@Suite struct BackupTests {
    let directory: OperationsDirectory
    var databasePath: String { directory.file("db.sqlite3") }

    init() throws {
        directory = try OperationsDirectory()
    }

    func makeCroftDatabase(migrations: [String] = ["0001_create_items"]) throws -> DatabasePool {
        let pool = try DatabasePool(path: databasePath)
        try pool.writeSync { db in
            try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, checksum TEXT, applied_at TEXT)")
            for name in migrations { try db.execute("INSERT OR IGNORE INTO schema_migrations (name) VALUES (?)", name) }
            try db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL)")
        }
        return pool
    }

    @Test(.timeLimit(.minutes(1)))
    func aBackupTakenWhileEightWritersInsertIsConsistentAndHoldsEveryEarlierCommit() async throws {
        let pool = try makeCroftDatabase()
        defer { pool.close() }
        let stop = StopFlag()
        // Eight writers, each on its own connection and thread (as eight processes would be), inserting until
        // told to stop. Threads, not tasks: blocking SQLite calls must not occupy Swift's cooperative pool.
        let written = Mutex<Int>(0)
        let group = DispatchGroup()
        for writer in 0..<8 {
            group.enter()
            // Dedicated threads: blocking writers on Dispatch's global queue would starve the pool's own queues.
            Thread { [databasePath] in
                defer { group.leave() }
                do {
                    let connection = try Connection(path: databasePath)
                    defer { connection.close() }
                    var n = 0
                    while !stop.value.load(ordering: .relaxed) || n < 20 {
                        try connection.transaction(.immediate) { db in
                            try db.execute("INSERT INTO items (writer, n, body) VALUES (?, ?, ?)", writer, n, String(repeating: "x", count: 200))
                        }
                        n += 1
                    }
                    written.withLock { $0 += n }
                } catch {
                    Issue.record("writer \(writer): \(error)")
                }
            }.start()
        }
        let start = ContinuousClock.now
        while try await pool.read({ db in try db.fetchValue(Int.self, "SELECT count(*) FROM items") ?? 0 }) < 400 {
            try #require(ContinuousClock.now - start < .seconds(10), "the writers did not get going")
            try await Task.sleep(for: .milliseconds(5))
        }
        let committedBefore = try await pool.read { db in try db.fetchValue(Int.self, "SELECT max(id) FROM items") ?? 0 }
        let store = BackupStore(directory: directory.file("backups"), keep: 3)
        let info = try store.create(from: pool)
        stop.value.store(true, ordering: .relaxed)
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        #expect(info.name.hasPrefix("db-") && info.name.hasSuffix(".sqlite3"))
        #expect(try BackupStore.verify(info.path).isEmpty)
        let copy = try Connection(path: info.path, role: .reader)
        defer { copy.close() }
        // Every row committed before the backup began is in the copy, with no gap: one snapshot.
        let (count, maxID) = (try copy.fetchValue(Int.self, "SELECT count(*) FROM items") ?? 0,
                              try copy.fetchValue(Int.self, "SELECT max(id) FROM items") ?? 0)
        #expect(maxID >= committedBefore)
        #expect(count == maxID)
        #expect(try copy.fetchValue(Int.self, "SELECT count(*) FROM items WHERE id <= ?", committedBefore) == committedBefore)
        #expect(written.withLock { $0 } > count)  // writers kept going during and after the backup
    }

    @Test func restoreRoundTripKeepsASafetyCopyAndRefusesForeignFiles() async throws {
        let pool = try makeCroftDatabase()
        try pool.writeSync { db in try db.execute("INSERT INTO items (writer, n, body) VALUES (1, 1, 'before backup')") }
        let store = BackupStore(directory: directory.file("backups"), keep: nil)
        let backup = try store.create(from: pool, gzip: true)
        #expect(backup.isCompressed)
        try pool.writeSync { db in try db.execute("INSERT INTO items (writer, n, body) VALUES (1, 2, 'after backup')") }
        pool.close()

        let restorer = DatabaseRestorer(databasePath: databasePath, backups: store, knownMigrations: ["0001_create_items", "0002_more"])
        let candidate = try restorer.inspect(backup.path)
        #expect(candidate.pendingMigrations == ["0002_more"])
        let safety = try #require(try restorer.restore(candidate))
        #expect(safety.contains("pre-restore-"))

        let restored = try DatabasePool(path: databasePath)
        defer { restored.close() }
        #expect(try restored.readSync { db in try db.fetchAll("SELECT body FROM items").map { try $0.get(0, as: String.self) } } == ["before backup"])
        #expect(try restored.readSync { db in try db.integrityProblems(full: true) }.isEmpty)
        #expect(try restored.readSync { db in try db.fetchValue(String.self, "PRAGMA journal_mode") } == "wal")
        let saved = try Connection(path: safety, role: .reader)
        #expect(try saved.fetchValue(Int.self, "SELECT count(*) FROM items") == 2)
        saved.close()

        // Refusals, each with a reason.
        let notSQLite = directory.file("notes.txt")
        try "hello".write(toFile: notSQLite, atomically: true, encoding: .utf8)
        #expect(throws: BackupError.self) { try restorer.inspect(notSQLite) }
        let plain = try Connection(path: directory.file("plain.sqlite3"))
        try plain.execute("CREATE TABLE t (x)")
        plain.close()
        #expect { try restorer.inspect(directory.file("plain.sqlite3")) } throws: { ($0 as? BackupError)?.description.contains("not a Croft one") == true }
        let older = DatabaseRestorer(databasePath: databasePath, backups: store, knownMigrations: [])
        #expect { try older.inspect(backup.path) } throws: { ($0 as? BackupError)?.description.contains("newer build") == true }
        #expect { try restorer.inspect(directory.file("missing.sqlite3")) } throws: { ($0 as? BackupError)?.description.contains("does not exist") == true }
    }

    @Test func keepsTheNewestBackupsAndListsDeletesAndStreamsThem() async throws {
        let pool = try makeCroftDatabase()
        defer { pool.close() }
        let store = BackupStore(directory: directory.file("backups"), keep: 2)
        for offset in 0..<4 {
            try store.create(from: pool, date: Date(timeIntervalSince1970: 1_767_225_600 + Double(offset)))
        }
        let names = try store.list().map(\.name).sorted()
        #expect(names == ["db-20260101-000002.sqlite3", "db-20260101-000003.sqlite3"])
        let response = try store.downloadResponse(named: names[0])
        #expect(response.headers["Content-Disposition"]?.contains(names[0]) == true)
        guard case .stream(let stream) = response.body else { Issue.record("not streamed"); return }
        let sink = CollectingWriter()
        try await stream.produce(sink)
        #expect(sink.bytes.withLock { Array($0.prefix(16)) } == Array("SQLite format 3\0".utf8))
        #expect(sink.bytes.withLock { $0.count } == stream.length)
        #expect(throws: BackupError.self) { try store.downloadResponse(named: "../db.sqlite3") }
        try store.delete(named: names[0])
        #expect(try store.list().count == 1)
    }

    @Test func everyBackupFileIsCreatedReadableByItsOwnerOnly() async throws {
        let pool = try makeCroftDatabase()
        let store = BackupStore(directory: directory.file("backups"), keep: nil)
        let plain = try store.create(from: pool)
        let compressed = try store.create(from: pool, gzip: true, date: Date(timeIntervalSince1970: 1_767_225_600))
        let elsewhere = try store.create(from: pool, destination: directory.file("copies/mine.sqlite3"))
        pool.close()
        for backup in [plain, compressed, elsewhere] {
            #expect(permissions(backup.path) == 0o600, "\(backup.name)")
        }
        #expect(permissions(store.directory).map { $0 & 0o007 } == 0, "the backups directory is closed to others")
        let restorer = DatabaseRestorer(databasePath: databasePath, backups: store, knownMigrations: ["0001_create_items"])
        let candidate = try restorer.inspect(compressed.path)
        // The decompressed copy in the temporary directory holds the whole database too.
        #expect(permissions(candidate.databaseFile) == 0o600)
        let safety = try #require(try restorer.restore(candidate))
        #expect(permissions(safety) == 0o600)
    }

    /// The permission bits of `path`, nil when it does not exist.
    private func permissions(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode) & 0o7777 : nil
    }

    /// Writes a stand-in backup file named `name` whose modification time is `seconds` after 2026-01-01.
    private func fakeBackup(_ name: String, at seconds: Double, in store: BackupStore) throws {
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        let path = store.directory + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data("stand-in".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_767_225_600 + seconds)], ofItemAtPath: path)
    }

    @Test func pruningKeepsTheNewestOfEachKindAndNothingElseIsTouched() throws {
        let store = BackupStore(directory: directory.file("backups"), keep: 2, keepPreMigrate: 1, keepPreRestore: 3)
        for n in 0..<4 {
            try fakeBackup("db-2026010\(n + 1)-030000.sqlite3", at: Double(n) * 86_400, in: store)
            try fakeBackup("pre-migrate-2026010\(n + 1)-040000.sqlite3", at: Double(n) * 86_400 + 10, in: store)
            try fakeBackup("pre-restore-2026010\(n + 1)-050000.sqlite3.gz", at: Double(n) * 86_400 + 20, in: store)
        }
        try fakeBackup("before-the-move.sqlite3", at: 0, in: store)
        let deleted = try store.prune()
        #expect(Set(deleted) == ["db-20260101-030000.sqlite3", "db-20260102-030000.sqlite3",
                                 "pre-migrate-20260101-040000.sqlite3", "pre-migrate-20260102-040000.sqlite3",
                                 "pre-migrate-20260103-040000.sqlite3", "pre-restore-20260101-050000.sqlite3.gz"])
        #expect(try store.list().map(\.name).sorted() == [
            "before-the-move.sqlite3", "db-20260103-030000.sqlite3", "db-20260104-030000.sqlite3",
            "pre-migrate-20260104-040000.sqlite3", "pre-restore-20260102-050000.sqlite3.gz",
            "pre-restore-20260103-050000.sqlite3.gz", "pre-restore-20260104-050000.sqlite3.gz",
        ])
        #expect(try store.prune().isEmpty)
        // nil keeps every file of its kind.
        try fakeBackup("pre-migrate-20260201-040000.sqlite3", at: 40 * 86_400, in: store)
        #expect(try BackupStore(directory: store.directory, keep: nil, keepPreMigrate: nil, keepPreRestore: nil).prune().isEmpty)
    }

    @Test func theBackupJustWrittenIsNeverPruned() throws {
        let pool = try makeCroftDatabase()
        defer { pool.close() }
        // Older files whose clocks ran ahead (copied from another machine, a clock fixed since): by modification
        // time they are newer than the backup about to be written, yet the new one is what must survive.
        let store = BackupStore(directory: directory.file("backups"), keep: 1, keepPreMigrate: 1, keepPreRestore: 1)
        let aheadOfTheClock = 20 * 365 * 86_400.0
        try fakeBackup("db-20250101-030000.sqlite3", at: aheadOfTheClock, in: store)
        try fakeBackup("pre-restore-20250101-030000.sqlite3", at: aheadOfTheClock, in: store)
        let scheduled = try store.create(from: pool)
        let safety = try store.create(from: pool, prefix: "pre-restore")
        #expect(try store.list().map(\.name).sorted() == [scheduled.name, safety.name].sorted())
        // BACKUP_KEEP=0 keeps only the backup being written.
        let none = BackupStore(directory: directory.file("none"), keep: 0)
        let only = try none.create(from: pool)
        #expect(try none.list().map(\.name) == [only.name])
    }

    @Test func backupsTakenInTheSameSecondDoNotReplaceEachOther() throws {
        let pool = try makeCroftDatabase()
        defer { pool.close() }
        let store = BackupStore(directory: directory.file("backups"), keep: nil, keepPreRestore: nil)
        let moment = Date(timeIntervalSince1970: 1_767_225_600)
        let first = try store.create(from: pool, prefix: "pre-restore", date: moment)
        try pool.writeSync { db in try db.execute("INSERT INTO items (writer, n, body) VALUES (1, 1, 'later')") }
        let second = try store.create(from: pool, prefix: "pre-restore", date: moment)
        #expect(first.name == "pre-restore-20260101-000000.sqlite3")
        #expect(second.name == "pre-restore-20260101-000000-2.sqlite3")
        let earlier = try Connection(path: first.path, role: .reader)
        defer { earlier.close() }
        #expect(try earlier.fetchValue(Int.self, "SELECT count(*) FROM items") == 0)
    }

    @Test func restoresPruneTheSafetyCopiesToTheirSettingAndCanUndoFromTheOldestOne() throws {
        let pool = try makeCroftDatabase()
        try pool.writeSync { db in try db.execute("INSERT INTO items (writer, n, body) VALUES (1, 1, 'first')") }
        let store = BackupStore(directory: directory.file("backups"), keep: nil, keepPreMigrate: nil, keepPreRestore: 2)
        let backup = try store.create(from: pool)
        pool.close()
        let restorer = DatabaseRestorer(databasePath: databasePath, backups: store, knownMigrations: ["0001_create_items"])
        var safetyCopies: [String] = []
        for n in 0..<3 {
            let writer = try DatabasePool(path: databasePath)
            try writer.writeSync { db in try db.execute("INSERT INTO items (writer, n, body) VALUES (2, ?, 'lost')", n) }
            writer.close()
            safetyCopies.append(try #require(try restorer.restore(try restorer.inspect(backup.path))))
        }
        let kept = try store.list().filter { $0.name.hasPrefix("pre-restore-") }.map(\.path)  // newest first
        #expect(Set(kept) == Set(safetyCopies.suffix(2)))
        // At the limit, restoring the oldest safety copy (undoing the last restore) still works: the copy
        // being restored from is not pruned away to make room for the new safety copy.
        let oldest = try #require(kept.last)
        let candidate = try restorer.inspect(oldest)
        try restorer.restore(candidate)
        let restored = try DatabasePool(path: databasePath)
        defer { restored.close() }
        #expect(try restored.readSync { db in try db.fetchValue(Int.self, "SELECT count(*) FROM items WHERE writer = 2") } == 1)
    }

    @Test func theStoreReadsItsDirectoryAndRetentionFromTheSettings() throws {
        let defaults = BackupStore(Settings(environment: ["BASE_DIR": directory.path]).operations)
        #expect(defaults.directory == directory.path + "/data/backups")
        #expect((defaults.keep, defaults.keepPreMigrate, defaults.keepPreRestore) == (14, 5, 5))
        let configured = BackupStore(Settings(environment: [
            "BASE_DIR": directory.path, "BACKUP_DIR": "/srv/backups", "BACKUP_KEEP": "7",
            "BACKUP_KEEP_PRE_MIGRATE": "2", "BACKUP_KEEP_PRE_RESTORE": "3",
        ]).operations)
        #expect(configured.directory == "/srv/backups")
        #expect((configured.keep, configured.keepPreMigrate, configured.keepPreRestore) == (7, 2, 3))
    }

    @Test func reportsIntegrityForeignKeysAndFreePages() throws {
        let pool = try makeCroftDatabase()
        defer { pool.close() }
        try pool.writeWithoutTransactionSync { db in
            try db.executeScript("""
                PRAGMA foreign_keys = OFF;
                CREATE TABLE parents (id INTEGER PRIMARY KEY);
                CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents(id));
                INSERT INTO children (parent_id) VALUES (42);
                PRAGMA foreign_keys = ON;
                """)
        }
        let report = try DatabaseReport.check(pool, full: true)
        #expect(report.integrityProblems.isEmpty)
        #expect(report.foreignKeyViolations == ["children row 1 refers to a missing row of parents"])
        #expect(!report.isHealthy)
        #expect(report.lines.contains { $0.hasPrefix("free pages:") })
    }
}

/// Tells the writer tasks to stop.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// A body writer that keeps what it is given.
final class CollectingWriter: BodyWriter {
    let bytes = Mutex<[UInt8]>([])

    func write(_ chunk: [UInt8]) async throws {
        bytes.withLock { $0 += chunk }
    }
}
