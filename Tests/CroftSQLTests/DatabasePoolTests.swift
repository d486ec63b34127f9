import CroftSQL
import Foundation
import Synchronization
import Testing

@Suite struct DatabasePoolTests {
    @Test func thirtyTwoWriterThreadsLoseNothing() async throws {
        // 32 writers × 500 single-row inserts from real threads, all at once; they queue FIFO on the
        // writer, so none ever sees SQLITE_BUSY. (Async `write` shares that queue; other tests use it.)
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let failures = Atomic<Int>(0)
        let finished = DispatchGroup()
        for thread in 0..<32 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                for n in 0..<500 {
                    do {
                        try pool.writeSync { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('s', ?, ?)", thread, n) }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }.start()
        }
        #expect(try await offCooperativePool { finished.wait(timeout: .now() + 120) } == .success)
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") } == 16_000)
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM (SELECT DISTINCT thread, n FROM items)") } == 16_000)
        let statistics = pool.statistics
        #expect(statistics.writesStarted == 16_001)  // and the CREATE TABLE of makePool
        #expect(statistics.writeQueueDepth == 0)
        #expect(statistics.writeWaitSampleCount == 1024)
        #expect(statistics.writeWaitP99 >= statistics.writeWaitP50)
    }

    @Test func statisticsShowQueuedWritesAndTheirWait() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let blocker = Task { try await pool.write { _ in holding.signal(); release.wait() } }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { holding.wait(); continuation.resume() }
        }
        let queued = (0..<5).map { n in
            Task { try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('q', 0, ?)", n) } }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while pool.statistics.writeQueueDepth < 5, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(pool.statistics.writeQueueDepth == 5)
        #expect(pool.writeQueueDepth == 5)
        try await Task.sleep(for: .milliseconds(50))
        release.signal()
        try await blocker.value
        for task in queued { try await task.value }
        let statistics = pool.statistics
        #expect(statistics.writeQueueDepth == 0)
        #expect(statistics.writeWaitP99 >= 0.05)  // the queued writes waited behind the blocker
        #expect(statistics.description.contains("p99="))
    }

    @Test func aThrowingWriteRollsBack() async throws {
        struct Oops: Error {}
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        await #expect(throws: Oops.self) {
            try await pool.write { db in
                try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)")
                throw Oops()
            }
        }
        #expect(throws: Oops.self) {
            try pool.writeSync { db in
                try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)")
                throw Oops()
            }
        }
        #expect(try await pool.read { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") } == 0)
    }

    @Test func writesRunInBeginImmediateAndReadsCannotWrite() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let inTransaction = try await pool.write { $0.isInTransaction }
        #expect(inTransaction)
        let error = await #expect(throws: SQLiteError.self) {
            try await pool.read { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)") }
        }
        #expect(error?.code == 8)  // SQLITE_READONLY: readers are query_only
    }

    @Test func aLongWriteDoesNotBlockReaders() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('before', 0, 0)") }
        let writeStarted = DispatchSemaphore(value: 0)
        let finishWrite = DispatchSemaphore(value: 0)
        let longWrite = Task {
            try await pool.write { db in
                try db.execute("INSERT INTO items (tag, thread, n) VALUES ('during', 0, 0)")
                writeStarted.signal()
                finishWrite.wait()  // hold the write transaction open
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { writeStarted.wait(); continuation.resume() }
        }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<50 {
            let tags = try await pool.read { db in try db.fetchAll("SELECT tag FROM items").map { try $0.string("tag") } }
            #expect(tags == ["before"])  // the snapshot before the uncommitted write
        }
        // Were reads waiting on the writer, they would never finish: it holds its transaction until
        // after this loop. The bound only has to tell "ran" from "stuck" on a loaded 2-core machine.
        #expect(clock.now - start < .seconds(10))
        finishWrite.signal()
        try await longWrite.value
        #expect(try await pool.read { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") } == 2)
    }

    @Test func aReadSeesOneSnapshotAcrossStatements() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let readerInside = DispatchSemaphore(value: 0)
        let writeDone = DispatchSemaphore(value: 0)
        let read = Task {
            try await pool.read { db in
                let first = try db.fetchValue(Int.self, "SELECT count(*) FROM items") ?? -1
                readerInside.signal()
                writeDone.wait()
                let second = try db.fetchValue(Int.self, "SELECT count(*) FROM items") ?? -1
                return (first, second)
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { readerInside.wait(); continuation.resume() }
        }
        try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)") }
        writeDone.signal()
        let (first, second) = try await read.value
        #expect(first == 0 && second == 0)
    }

    @Test func readersRunConcurrently() async throws {
        let directory = TemporaryDirectory()
        var configuration = DatabaseConfiguration()
        configuration.readerCount = 4
        let pool = try directory.makePool(configuration: configuration)
        defer { pool.close() }
        final class Gauge: Sendable {
            let inside = Atomic<Int>(0)
            let maximum = Atomic<Int>(0)
        }
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await pool.read { _ in
                        let now = gauge.inside.add(1, ordering: .relaxed).newValue
                        gauge.maximum.max(now, ordering: .relaxed)
                        usleep(20_000)
                        gauge.inside.subtract(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(gauge.maximum.load(ordering: .relaxed) > 1)
        #expect(gauge.maximum.load(ordering: .relaxed) <= 4)
    }

    @Test func spareReadersOpenOnFirstUseAndEveryConnectionClosesWithThePool() async throws {
        let directory = TemporaryDirectory()
        var configuration = DatabaseConfiguration()
        configuration.readerCount = 3
        let pool = try directory.makePool(configuration: configuration)
        defer { pool.close() }
        // Each open connection holds one descriptor on the database file itself (the WAL and shm have their own).
        let database = URL(fileURLWithPath: directory.file("db.sqlite3")).resolvingSymlinksInPath().path
        func openConnections() -> Int {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return descriptors.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == database }.count
        }
        #expect(openConnections() == 2)  // the writer and the first reader
        for _ in 0..<20 {
            _ = try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") }
        }
        #expect(openConnections() == 2)  // one read at a time never needs a second reader

        // Three reads held open at once take all three readers, opening the other two.
        final class Rendezvous: Sendable {
            let inside = Atomic<Int>(0)
            let failures = Atomic<Int>(0)
        }
        let rendezvous = Rendezvous()
        let finished = DispatchGroup()
        for _ in 0..<3 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                do {
                    try pool.readSync { db in
                        rendezvous.inside.add(1, ordering: .relaxed)
                        let deadline = Date().addingTimeInterval(10)
                        while rendezvous.inside.load(ordering: .relaxed) < 3, Date() < deadline { usleep(1_000) }
                        _ = try db.fetchValue(Int.self, "SELECT count(*) FROM items")
                    }
                } catch {
                    rendezvous.failures.add(1, ordering: .relaxed)
                }
            }.start()
        }
        #expect(try await offCooperativePool { finished.wait(timeout: .now() + 30) } == .success)
        #expect(rendezvous.inside.load(ordering: .relaxed) == 3)
        #expect(rendezvous.failures.load(ordering: .relaxed) == 0)
        #expect(openConnections() == 4)
        #expect(pool.statistics.readerCount == 3)
        pool.close()
        #expect(openConnections() == 0)
    }

    @Test func writeWithoutTransactionCanVacuumAndCheckpoint() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let wasInTransaction = try await pool.writeWithoutTransaction { db in
            let open = db.isInTransaction
            try db.executeScript("VACUUM")
            try db.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
            return open
        }
        #expect(!wasInTransaction)
        try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)") }
        let result = try await pool.checkpoint(.truncate)
        #expect(!result.wasBlocked)
        try await pool.optimize()
    }

    @Test func closeCheckpointsTheWALAndRefusesLaterWork() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('x', 0, 0)") }
        pool.close()
        let walSize = (try? FileManager.default.attributesOfItem(atPath: directory.file("db.sqlite3-wal"))[.size] as? Int) ?? 0
        #expect(walSize == 0)
        await #expect(throws: SQLiteError.self) { try await pool.read { _ in 1 } }
        #expect(throws: SQLiteError.self) { try pool.writeSync { _ in 1 } }
        let reopened = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { reopened.close() }
        #expect(try reopened.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") } == 1)
    }

    /// Two tables with two indexes each, where the planner's choice depends on statistics.
    private func makeTablesWorthAnalyzing(_ pool: DatabasePool) throws {
        try pool.writeSync { db in
            for table in ["queried", "untouched"] {
                try db.executeScript("""
                    CREATE TABLE \(table) (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);
                    CREATE INDEX \(table)_a ON \(table) (a);
                    CREATE INDEX \(table)_b ON \(table) (b);
                    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)
                    INSERT INTO \(table) (a, b) SELECT x % 10, x % 500 FROM c;
                    """)
            }
        }
    }

    /// The tables `sqlite_stat1` holds statistics for (empty when ANALYZE never ran).
    private func analyzedTables(_ db: Connection) throws -> Set<String> {
        guard try db.fetchValue(Int.self, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 1 else { return [] }
        return Set(try db.fetchAll("SELECT DISTINCT tbl FROM sqlite_stat1") { try $0.get(0, as: String.self) })
    }

    @Test func closeAnalyzesTheTablesTheReadersQueried() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        try makeTablesWorthAnalyzing(pool)
        // Only readers run the query; a query_only reader cannot ANALYZE, so the writer must do it for them.
        let count = try await pool.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM queried WHERE a = 3 AND b = 7") }
        #expect(count == 0)
        #expect(try pool.readSync { try analyzedTables($0) }.isEmpty)
        pool.close()
        let reopened = try Connection(path: directory.file("db.sqlite3"))
        defer { reopened.close() }
        #expect(try analyzedTables(reopened) == ["queried"])
    }

    @Test func optimizeAnalyzesWhatTheReadersQueriedAndRestoresTheAnalysisLimit() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        try makeTablesWorthAnalyzing(pool)
        _ = try await pool.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM queried WHERE a = 3 AND b = 7") }
        try await pool.optimize()
        #expect(try pool.readSync { try analyzedTables($0) } == ["queried"])
        #expect(try pool.writeSync { try $0.pragma("analysis_limit") } == .integer(0))
        // Fresh statistics: nothing is left to analyze, so a second run changes nothing.
        let before = try pool.readSync { try $0.fetchAll("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY idx") { try $0.get(2, as: String.self) } }
        try await pool.optimize()
        #expect(try pool.readSync { try $0.fetchAll("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY idx") { try $0.get(2, as: String.self) } } == before)
    }

    @Test func backupCopiesAConsistentDatabase() async throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        for n in 0..<100 {
            try await pool.write { db in try db.execute("INSERT INTO items (tag, thread, n) VALUES ('b', 0, ?)", n) }
        }
        let target = directory.file("backups/copy.sqlite3")
        try await pool.backup(to: target)
        let copy = try Connection(path: target)
        #expect(try copy.fetchValue(Int.self, "SELECT count(*) FROM items") == 100)
        #expect(try copy.fetchValue(String.self, "PRAGMA integrity_check") == "ok")
        try pool.backupSync(to: directory.file("copy2.sqlite3"))
    }

    @Test func syncCallsFromInsideAClosureAreRefusedInsteadOfDeadlocking() throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        #expect(throws: SQLiteError.self) { try pool.writeSync { _ in try pool.writeSync { _ in 1 } } }
    }
}
