import CroftSQL
import Foundation
import Testing

@Suite struct ConnectionTests {
    @Test func appliesEveryProductionPragmaReadBackFromARealFile() throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        let expected: [(String, SQLValue)] = [
            ("journal_mode", "wal"), ("synchronous", 1), ("foreign_keys", 1), ("busy_timeout", 5000),
            ("temp_store", 2), ("mmap_size", 134_217_728), ("journal_size_limit", 27_103_364), ("cache_size", 2000),
        ]
        let fromWriter = try pool.writeSync { db in try expected.map { try db.pragma($0.0) } }
        let fromReader = try pool.readSync { db in try expected.map { try db.pragma($0.0) } }
        #expect(fromWriter == expected.map(\.1))
        #expect(fromReader == expected.map(\.1))
        #expect(try pool.readSync { try $0.pragma("query_only") } == 1)
    }

    @Test func pragmasAreOverridable() throws {
        let directory = TemporaryDirectory()
        var configuration = DatabaseConfiguration()
        configuration.busyTimeoutMilliseconds = 1234
        configuration.cacheSize = -4000
        configuration.synchronous = .full
        let db = try Connection(path: directory.file("x.sqlite3"), configuration: configuration)
        #expect(try db.pragma("busy_timeout") == 1234)
        #expect(try db.pragma("cache_size") == -4000)
        #expect(try db.pragma("synchronous") == 2)
    }

    @Test func valuesSQLiteWouldIgnoreAreRefusedBeforeAnythingIsCreated() throws {
        let directory = TemporaryDirectory()
        #expect(DatabaseConfiguration().problems.isEmpty)
        var configuration = DatabaseConfiguration()
        // Keywords are enums (`configuration.synchronous = "FUL"` does not compile); text from settings is
        // parsed, with SQLite's numbers, and anything SQLite would ignore is refused.
        #expect(SynchronousMode(setting: "2") == .full && SynchronousMode(setting: " normal ") == .normal)
        #expect(TempStore(setting: "memory") == .memory && TempStore(setting: "1") == .file)
        #expect(SynchronousMode(setting: "FUL") == nil && SynchronousMode(setting: "4") == nil && TempStore(setting: "RAM") == nil)
        #expect(JournalMode(setting: "wal") == .wal && JournalMode(setting: "1") == nil)
        configuration.busyTimeoutMilliseconds = -1
        configuration.readerCount = 0
        let path = directory.file("never.sqlite3")
        let error = #expect(throws: DatabaseOpenError.self) { try Connection(path: path, configuration: configuration) }
        #expect(error?.path == path)
        #expect(error?.reason == #"invalid configuration: busy_timeout -1 is not between 0 and 2147483647 milliseconds; the reader count 0 is not between 1 and 256"#)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: DatabaseOpenError.self) { try DatabasePool(path: path, configuration: configuration) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aPoolHasOneReaderPerCoreAndAtLeastTwo() throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        #expect(pool.statistics.readerCount == max(2, ProcessInfo.processInfo.activeProcessorCount))
    }

    @Test func createsTheParentDirectory() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("nested/deeper/db.sqlite3")
        let db = try Connection(path: path)
        try db.execute("CREATE TABLE t (x)")
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func openingADirectoryFailsNamingThePath() throws {
        let directory = TemporaryDirectory()
        let error = #expect(throws: DatabaseOpenError.self) { try DatabasePool(path: directory.path) }
        #expect(error?.path == directory.path)
        #expect(error?.description.contains(directory.path) == true)
        #expect(error?.reason.contains("directory") == true)
    }

    @Test func aPoolRefusesAnInMemoryDatabase() {
        #expect(throws: DatabaseOpenError.self) { try DatabasePool(path: ":memory:") }
    }

    @Test func aParentThatIsAFileFailsNamingThePathAndReason() throws {
        let directory = TemporaryDirectory()
        let blocker = directory.file("plain-file")
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let path = blocker + "/db.sqlite3"
        let error = #expect(throws: DatabaseOpenError.self) { try Connection(path: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.reason.contains("not a directory") == true)
    }

    @Test func aFileThatIsNotADatabaseFailsNamingThePath() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("garbage.sqlite3")
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096))
        let error = #expect(throws: DatabaseOpenError.self) { try Connection(path: path) }
        #expect(error?.path == path)
        #expect(error?.underlying?.code == 26)  // SQLITE_NOTADB
    }

    @Test func bindsAndReadsBackEverySupportedType() throws {
        let db = try Connection(path: TemporaryDirectory().file("types.sqlite3"))
        try db.execute("CREATE TABLE t (i, i64, d, b, s, data, date, uuid, n)")
        let date = Date(timeIntervalSince1970: 1_767_225_600.123)
        let uuid = UUID()
        let nothing: String? = nil
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       42, Int64.max, 2.5, true, "héllo \"world\"", Data([0, 1, 2]), date, uuid, nothing)
        let row = try #require(try db.fetchOne("SELECT * FROM t"))
        #expect(try row.int("i") == 42)
        #expect(try row.int64("i64") == Int64.max)
        #expect(try row.double("d") == 2.5)
        #expect(try row.bool("b") == true)
        #expect(try row.string("s") == "héllo \"world\"")
        #expect(try row.get("data", as: Data.self) == Data([0, 1, 2]))
        #expect(try row.get("date", as: Date.self) == date)
        #expect(row["date"] == .text("2026-01-01T00:00:00.123Z"))
        #expect(try row.get("uuid", as: UUID.self) == uuid)
        #expect(try row.get("n", as: String?.self) == nil)
        #expect(row["n"] as String? == nil)
        #expect(row["s"] as String? == "héllo \"world\"")
        #expect(row[0] == .integer(42))
    }

    @Test func emptyStringsAndBlobsAreNotNull() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (s, b)")
        try db.execute("INSERT INTO t VALUES (?, ?)", "", Data())
        let row = try #require(try db.fetchOne("SELECT s, b, typeof(s) AS ts, typeof(b) AS tb FROM t"))
        #expect(try row.string("ts") == "text")
        #expect(try row.string("tb") == "blob")
        #expect(try row.string("s") == "")
    }

    @Test func typedAccessReportsMissingColumnsAndMismatches() throws {
        let db = try Connection(path: ":memory:")
        let row = try #require(try db.fetchOne("SELECT 1 AS id, NULL AS title"))
        #expect(throws: RowDecodingError.self) { try row.string("nope") }
        #expect(throws: RowDecodingError.self) { try row.string("title") }
        #expect(throws: RowDecodingError.self) { try row.string("id") }
        #expect(try row.int64("ID") == 1)  // case-insensitive like SQL
    }

    @Test func returningGivesBackTheInsertedRow() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, created TEXT DEFAULT 'now')")
        let row = try #require(try db.fetchOne("INSERT INTO notes (title) VALUES (?) RETURNING id, title, created", "hi"))
        #expect(try row.int64("id") == 1)
        #expect(try row.string("created") == "now")
        #expect(db.lastInsertedRowID == 1)
        try db.execute("UPDATE notes SET title = ? WHERE id = ?", "x", 1)
        #expect(db.changes == 1)
    }

    @Test func distinguishesUniqueViolationsFromOtherConstraints() throws {
        let db = try Connection(path: ":memory:")
        try db.executeScript("""
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, age INTEGER CHECK (age >= 0));
            INSERT INTO users (id, email, age) VALUES (1, 'a@example.com', 3);
            """)
        let unique = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO users (email) VALUES (?)", "a@example.com") }
        #expect(unique?.isUniqueConstraintViolation == true)
        #expect(unique?.description.contains("secret") == false)
        let primaryKey = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO users (id, email) VALUES (1, 'b')") }
        #expect(primaryKey?.isUniqueConstraintViolation == true)
        let check = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO users (email, age) VALUES ('c', ?)", -1) }
        #expect(check?.isConstraintViolation == true)
        #expect(check?.isUniqueConstraintViolation == false)
        let notNull = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO users (email) VALUES (?)", nil as String?) }
        #expect(notNull?.isUniqueConstraintViolation == false)
        #expect(notNull?.isBusy == false)
    }

    @Test func errorsNameTheSQLButNeverTheBoundValues() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE users (email TEXT UNIQUE)")
        try db.execute("INSERT INTO users VALUES (?)", "secret@example.com")
        let error = #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO users VALUES (?)", "secret@example.com") }
        #expect(error?.sql == "INSERT INTO users VALUES (?)")
        #expect(error?.description.contains("secret") == false)
        #expect(error?.code == 19)
        #expect(error?.extendedCode == 2067)
    }

    @Test func wrongArgumentCountIsAnError() throws {
        let db = try Connection(path: ":memory:")
        // Every way of passing arguments checks the count before running anything.
        let attempts: [(String, () throws -> Void)] = [
            ("typed", { _ = try db.fetchOne("SELECT ?, ?", 1) }),
            ("typed, too many", { try db.execute("SELECT ?", 1, "two") }),
            ("none", { _ = try db.fetchAll("SELECT ?") }),
            ("literal nil", { try db.execute("SELECT ?, ?", arguments: [nil]) }),
            ("values", { _ = try db.fetchOne("SELECT ?", arguments: []) }),
            ("view", { _ = try db.fetchOne("SELECT ?, ?", 1) { $0.count } }),
        ]
        for (label, attempt) in attempts {
            do {
                try attempt()
                Issue.record("\(label): no error")
            } catch let error as SQLiteError {
                #expect(error.message.hasPrefix("expected "), "\(label): \(error.message)")
            }
        }
    }

    /// Typed arguments (a parameter pack), none, a literal `nil` (the variadic form) and an array of
    /// values all bind the same way, for execute, fetchOne, fetchAll and the RowView forms.
    @Test func everyArgumentFormBindsTheSameValues() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (i INTEGER, s TEXT, d REAL, b INTEGER, o TEXT)")
        let missing: String? = nil
        let present: String? = "here"
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", 1, "one", 1.5, true, missing)
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", Int64(2), "two", 2.5, false, present)
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", arguments: [3, "three", 3.5, true, nil])
        try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", arguments: StatementArguments([SQLValue.integer(4), .text("four"), .real(4.5), .integer(0), .text("x")]))
        try db.execute("INSERT INTO t (i) VALUES (5)")
        #expect(try db.fetchAll("SELECT i FROM t ORDER BY i").map { try $0.int64("i") } == [1, 2, 3, 4, 5])
        #expect(try db.fetchOne("SELECT s FROM t WHERE i = ? AND b = ?", 1, true)?.string("s") == "one")
        #expect(try db.fetchOne("SELECT o FROM t WHERE i = ?", 2)?.get("o", as: String?.self) == "here")
        #expect(try db.fetchOne("SELECT o FROM t WHERE i = ?", 1)?.get("o", as: String?.self) == nil)
        #expect(try db.fetchAll("SELECT i FROM t WHERE o IS NULL AND i < ?", 5).count == 2)
        #expect(try db.fetchOne("SELECT d FROM t WHERE s = ?", "three") { try $0.double("d") } == 3.5)
        #expect(try db.fetchAll("SELECT s FROM t WHERE b = ? ORDER BY i", false) { try $0.get("s", as: String?.self) } == ["two", "four"])
        #expect(try db.fetchOne("SELECT count(*) AS n FROM t") { try $0.int("n") } == 5)
    }

    @Test func multipleStatementsNeedExecuteScript() throws {
        let db = try Connection(path: ":memory:")
        #expect(throws: SQLiteError.self) { try db.execute("CREATE TABLE a (x); CREATE TABLE b (x)") }
        try db.executeScript("CREATE TABLE a (x); CREATE TABLE b (x);")
        try db.execute("SELECT 1;  ")
    }

    @Test func reusesPreparedStatementsAndBoundsTheCache() throws {
        var configuration = DatabaseConfiguration()
        configuration.statementCacheCapacity = 4
        let db = try Connection(path: ":memory:", configuration: configuration)
        db.clearStatementCache()
        for _ in 0..<10 { _ = try db.fetchOne("SELECT ?", 1) }
        #expect(db.cachedStatementCount == 1)
        for index in 0..<10 { _ = try db.fetchOne("SELECT \(index)") }
        #expect(db.cachedStatementCount == 4)
    }

    @Test func cachedStatementsSeeRenamedColumns() throws {
        let db = try Connection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (a, b); INSERT INTO t VALUES (1, 2);")
        #expect(try db.fetchOne("SELECT * FROM t")?.columns.names == ["a", "b"])
        try db.executeScript("ALTER TABLE t RENAME COLUMN b TO c")
        #expect(try db.fetchOne("SELECT * FROM t")?.columns.names == ["a", "c"])
    }

    @Test func nestedUseOfTheSameStatementWorks() throws {
        let db = try Connection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3);")
        var pairs = 0
        try db.each("SELECT x FROM t") { _ in
            try db.each("SELECT x FROM t") { _ in pairs += 1 }
        }
        #expect(pairs == 9)
    }

    @Test func transactionRollsBackOnThrow() throws {
        struct Oops: Error {}
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (x)")
        #expect(throws: Oops.self) {
            try db.transaction(.immediate) { db in
                try db.execute("INSERT INTO t VALUES (1)")
                throw Oops()
            }
        }
        #expect(try db.fetchValue(Int.self, "SELECT count(*) FROM t") == 0)
        #expect(!db.isInTransaction)
        try db.transaction { db in
            try db.execute("INSERT INTO t VALUES (1)")
            _ = try? db.savepoint { db in
                try db.execute("INSERT INTO t VALUES (2)")
                throw Oops()
            }
        }
        #expect(try db.fetchValue(Int.self, "SELECT count(*) FROM t") == 1)
    }

    @Test func datesRoundTripThroughText() {
        let cases: [(String, Double)] = [
            ("2026-01-01T00:00:00.000Z", 1_767_225_600), ("2026-01-01 00:00:00", 1_767_225_600),
            ("2026-01-01T00:00:01.5Z", 1_767_225_601.5), ("1969-12-31T23:59:59.999Z", -0.001),
        ]
        for (text, seconds) in cases {
            let date = Date.fromSQLValue(.text(text))
            #expect(date.map { abs($0.timeIntervalSince1970 - seconds) < 0.0005 } == true, "\(text)")
        }
        #expect(Date(timeIntervalSince1970: -0.001).sqlValue == .text("1969-12-31T23:59:59.999Z"))
        #expect(Date.fromSQLValue(.text("yesterday")) == nil)
    }

    @Test func identifiersAreQuotedWithInnerQuotesDoubled() throws {
        #expect(SQLIdentifier.quote("notes") == "\"notes\"")
        #expect(SQLIdentifier.quote("we\"ird") == "\"we\"\"ird\"")
        let db = try Connection(path: ":memory:")
        let hostile = "x\"; DROP TABLE keep; --"
        try db.execute("CREATE TABLE keep (a)")
        try db.execute("CREATE TABLE \(SQLIdentifier.quote(hostile)) (a)")
        #expect(try db.fetchValue(Int.self, "SELECT count(*) FROM sqlite_schema WHERE name = ?", hostile) == 1)
        #expect(try db.fetchValue(Int.self, "SELECT count(*) FROM sqlite_schema WHERE name = 'keep'") == 1)
    }

    @Test func everyArgumentFormBindsAndAWrongCountThrowsWithoutSpoilingTheStatement() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (a INTEGER, b TEXT)")
        let insert = "INSERT INTO t (a, b) VALUES (?, ?)"
        try db.execute(insert, 1, "pack")
        try db.execute(insert, arguments: [nil, "existential"])
        try db.execute(insert, arguments: [3, "array"])
        let byA = "SELECT b FROM t WHERE a = ?"
        // One typed argument, each way of reading.
        #expect(try db.fetchOne(byA, 1) { try $0.string("b") } == "pack")
        #expect(try db.fetchOne(byA, Int64(3))?.string("b") == "array")
        #expect(try db.fetchAll(byA, 3) { try $0.string("b") } == ["array"])
        #expect(try db.fetchAll(byA, 3).map { try $0.string("b") } == ["array"])
        var seen: [String] = []
        try db.forEachRow(byA, 1) { seen.append(try $0.string("b")) }
        #expect(seen == ["pack"])
        #expect(try db.fetchOne("SELECT b FROM t WHERE a IS ?", arguments: [nil]) { try $0.string("b") } == "existential")
        #expect(try db.fetchAll("SELECT a FROM t WHERE a > ? AND b <> ?", 0, "x") { try $0.int("a") } == [1, 3])

        // A wrong count names both counts and the SQL, whichever form made the call.
        let wrongCounts: [(String, () throws -> Void)] = [
            ("one typed", { try db.execute(insert, 1) }),
            ("pack", { _ = try db.fetchOne(byA, 1, 2) { _ in 0 } }),
            ("none", { _ = try db.fetchAll(byA) }),
            ("existential", { try db.forEachRow(byA, arguments: [1, nil]) { _ in } }),
            ("array", { _ = try db.fetchOne(byA, arguments: []) }),
        ]
        for (form, call) in wrongCounts {
            do {
                try call()
                Issue.record("\(form): a wrong argument count did not throw")
            } catch let error as SQLiteError {
                #expect(error.code == 25, "\(form)")  // SQLITE_RANGE
                #expect(error.message.contains("expected") && error.message.contains("arguments, got"), "\(form): \(error.message)")
                #expect(error.sql?.hasPrefix("INSERT") == true || error.sql?.hasPrefix("SELECT") == true, "\(form)")
            }
        }
        // The statements those calls took are free again: the same SQL runs, and no step is left open.
        #expect(try db.fetchOne(byA, 1) { try $0.string("b") } == "pack")
        try db.execute(insert, 4, "after")
        #expect(try db.fetchValue(Int.self, "SELECT count(*) FROM t") == 4)
        #expect(!db.isInTransaction)
    }
}
