import CSQLite
import Foundation

/// The raw C API with the same statements, prepared once: the ceiling.
final class RawLibrary: Library {
    let name = "raw C"
    let db: OpaquePointer
    var insert: OpaquePointer?
    var point: OpaquePointer?
    var range: OpaquePointer?
    var begin: OpaquePointer?
    var commit: OpaquePointer?

    init(path: String) {
        var handle: OpaquePointer?
        sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        db = handle!
        sqlite3_exec(db, SQL.pragmas, nil, nil, nil)
        sqlite3_exec(db, SQL.schema, nil, nil, nil)
        sqlite3_prepare_v3(db, SQL.insert, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &insert, nil)
        sqlite3_prepare_v3(db, SQL.point, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &point, nil)
        sqlite3_prepare_v3(db, SQL.range, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &range, nil)
        sqlite3_prepare_v3(db, "BEGIN IMMEDIATE", -1, UInt32(SQLITE_PREPARE_PERSISTENT), &begin, nil)
        sqlite3_prepare_v3(db, "COMMIT", -1, UInt32(SQLITE_PREPARE_PERSISTENT), &commit, nil)
    }

    private func run(_ statement: OpaquePointer?) {
        precondition(sqlite3_step(statement) == SQLITE_DONE)
        sqlite3_reset(statement)
    }

    private func insertRow(_ n: Int) {
        sqlite3_bind_int64(insert, 1, Int64(n % 1000))
        let title = SQL.title(n)
        _ = title.withCString { croft_sqlite3_bind_text_transient(insert, 2, $0, Int32(strlen($0))) }
        sqlite3_bind_double(insert, 3, Double(n) / 7)
        run(insert)
    }

    func singleInsertTransactions(_ count: Int) throws {
        for n in 0..<count {
            run(begin)
            insertRow(n)
            run(commit)
        }
    }

    func batchedInserts(batches: Int, perBatch: Int) throws {
        for batch in 0..<batches {
            run(begin)
            for n in 0..<perBatch { insertRow(batch * perBatch + n) }
            run(commit)
        }
    }

    func pointReads(_ ids: [Int64]) throws -> Int {
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        defer { sqlite3_exec(db, "COMMIT", nil, nil, nil) }
        var total = 0
        for id in ids {
            sqlite3_bind_int64(point, 1, id)
            if sqlite3_step(point) == SQLITE_ROW {
                let rowID = sqlite3_column_int64(point, 0)
                let text = sqlite3_column_text(point, 1)!
                let title = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(point, 1))), as: UTF8.self)
                let score = sqlite3_column_double(point, 2)
                total &+= Int(rowID) &+ title.utf8.count &+ Int(score)
            }
            sqlite3_reset(point)
        }
        return total
    }

    func rangeReads(_ categories: [Int64]) throws -> Int {
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        defer { sqlite3_exec(db, "COMMIT", nil, nil, nil) }
        var total = 0
        for category in categories {
            sqlite3_bind_int64(range, 1, category)
            while sqlite3_step(range) == SQLITE_ROW {
                let rowID = sqlite3_column_int64(range, 0)
                let text = sqlite3_column_text(range, 1)!
                let title = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(range, 1))), as: UTF8.self)
                total &+= Int(rowID) &+ title.utf8.count &+ Int(sqlite3_column_double(range, 2))
            }
            sqlite3_reset(range)
        }
        return total
    }

    func close() {
        for statement in [insert, point, range, begin, commit] { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }
}
