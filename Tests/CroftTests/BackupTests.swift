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
