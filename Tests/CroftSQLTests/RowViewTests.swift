import CroftSQL
import Foundation
import Testing

/// `RowView` reads the row in place; every answer must match what an owned `Row` gives.
@Suite struct RowViewTests {
    static let mixedRow = "SELECT 42 AS i, 2.0 AS exact, 2.5 AS r, 'hé' AS t, x'0102' AS b, NULL AS n, 0 AS f"

    @Test func typedAccessorsMatchRow() throws {
        let db = try Connection(path: ":memory:")
        let row = try #require(try db.fetchOne(Self.mixedRow))
        try db.fetchOne(Self.mixedRow) { view throws in
            #expect(view.count == row.count)
            #expect(view.columns.names == row.columns.names)
            #expect(try view.int64("i") == row.int64("i"))
            #expect(try view.int64("exact") == 2)            // a real without a fraction reads as an integer
            #expect(try view.int("i") == 42)
            #expect(try view.double("i") == 42)              // integers read as doubles
            #expect(try view.double("r") == row.double("r"))
            #expect(try view.string("t") == "hé")
            #expect(try view.bool("i") && !(try view.bool("f")))
            #expect(view["b"] == .blob([1, 2]))
            #expect(view["n"] == .null && view.isNull("n") && !view.isNull("i"))
            #expect(view[3] == .text("hé"))
            let optional: String?? = view["t"]
            #expect(optional == .some("hé"))
            #expect(try view.get("n", as: String?.self) == nil)
            #expect(try view.get("t", as: String.self) == "hé")
            #expect(try view.get(0, as: Int.self) == 42)
            #expect(view.hasColumn("t") && !view.hasColumn("missing"))
            #expect(view["missing"] == .null)
        }
    }

    @Test func mismatchesAndMissingColumnsThrowLikeRow() throws {
        let db = try Connection(path: ":memory:")
        let row = try #require(try db.fetchOne(Self.mixedRow))
        try db.fetchOne(Self.mixedRow) { view throws in
            let cases: [(String, (RowView) throws -> Any, (Row) throws -> Any)] = [
                ("int64 of text", { try $0.int64("t") }, { try $0.int64("t") }),
                ("int64 of a fraction", { try $0.int64("r") }, { try $0.int64("r") }),
                ("string of NULL", { try $0.string("n") }, { try $0.string("n") }),
                ("double of blob", { try $0.double("b") }, { try $0.double("b") }),
                ("bool of text", { try $0.bool("t") }, { try $0.bool("t") }),
                ("missing column", { try $0.int64("nope") }, { try $0.int64("nope") }),
                ("generic of NULL", { try $0.get("n", as: Int.self) }, { try $0.get("n", as: Int.self) }),
            ]
            for (label, throughView, throughRow) in cases {
                var viewError = "", rowError = ""
                do { _ = try throughView(view); Issue.record("\(label): the view did not throw") } catch { viewError = "\(error)" }
                do { _ = try throughRow(row); Issue.record("\(label): the row did not throw") } catch { rowError = "\(error)" }
                #expect(viewError == rowError, "\(label)")
                #expect(!viewError.isEmpty)
            }
        }
    }

    @Test func byNameLookupIsRightInAnyOrderAndCase() throws {
        let db = try Connection(path: ":memory:")
        try db.fetchOne("SELECT 1 AS a, 2 AS b, 3 AS c, 4 AS a") { view throws in
            // In order, out of order, repeated, and a duplicate name (the first column wins, as in Row).
            #expect(try [view.int64("a"), view.int64("b"), view.int64("c")] == [1, 2, 3])
            #expect(try [view.int64("c"), view.int64("a"), view.int64("c"), view.int64("b"), view.int64("b")] == [3, 1, 3, 2, 2])
            #expect(try view.int64("C") == 3)
            #expect(try view.int64("a") == 1)
        }
    }

    @Test func fetchAllForEachRowAndFetchOneReadEveryRowInOrder() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        for name in ["x", "y", "z"] { try db.execute("INSERT INTO t (name) VALUES (?)", name) }
        let all = try db.fetchAll("SELECT id, name FROM t WHERE id >= ? ORDER BY id", 1) { try "\($0.int64("id"))\($0.string("name"))" }
        #expect(all == ["1x", "2y", "3z"])
        #expect(try db.fetchAll("SELECT name FROM t ORDER BY id DESC", arguments: []) { try $0.string("name") } == ["z", "y", "x"])
        var streamed: [String] = []
        try db.forEachRow("SELECT name FROM t WHERE id > ?", 1) { streamed.append(try $0.string("name")) }
        #expect(streamed == ["y", "z"])
        #expect(try db.fetchOne("SELECT name FROM t WHERE id = ?", 99) { try $0.string("name") } == nil)
        #expect(try db.fetchAll("SELECT name FROM t WHERE id = ?", 99) { try $0.string("name") }.isEmpty)
        // The statement is reusable afterwards (it was reset), bound afresh.
        #expect(try db.fetchOne("SELECT name FROM t WHERE id = ?", 2) { try $0.string("name") } == "y")
    }

    @Test func nestedQueriesInsideTheClosureDoNotDisturbTheOuterRow() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        for name in ["x", "y"] { try db.execute("INSERT INTO t (name) VALUES (?)", name) }
        let pairs = try db.fetchAll("SELECT id, name FROM t ORDER BY id") { outer in
            let id = try outer.int64("id")
            // Same SQL text while the outer statement is busy: a fresh statement, its own hint.
            let count = try db.fetchAll("SELECT id, name FROM t ORDER BY id") { try $0.string("name") }.count
            let other = try db.fetchOne("SELECT name FROM t WHERE id <> ?", id) { try $0.string("name") }
            return "\(id):\(try outer.string("name")):\(other ?? "-"):\(count)"
        }
        #expect(pairs == ["1:x:y:2", "2:y:x:2"])
    }

    @Test func ownedRowOutlivesTheClosureAndDecodingMatchesRow() throws {
        let db = try RowCodingTests.databaseWithSample()
        let kept = try #require(try db.fetchOne("SELECT * FROM profiles") { $0.row })
        #expect(try kept.decode(RowCodingTests.Profile.self) == RowCodingTests.sample)
        let decoded = try db.fetchOne("SELECT * FROM profiles") { try $0.decode(RowCodingTests.Profile.self) }
        #expect(decoded == RowCodingTests.sample)
        // A decoding error names the column, as through Row.
        struct Wrong: Decodable { var name: Int }
        #expect(throws: DecodingError.self) { try db.fetchOne("SELECT name FROM profiles") { try $0.decode(Wrong.self) } }
    }

    /// Using a view after its closure returned must stop the process, not read another row's data,
    /// also when the statement has since left the connection's cache.
    @Test(arguments: [[], ["clear"]])
    func aViewKeptPastItsClosureTraps(extra: [String]) throws {
        let directory = TemporaryDirectory()
        let process = Process()
        process.executableURL = TestHelper.executable
        process.arguments = ["escape-view", directory.file("db.sqlite3")] + extra
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(printed.contains("read 1 inside the closure"))
        #expect(!printed.contains("after it"))
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(complaint.contains("a RowView was used after its statement moved on"))
    }
}
