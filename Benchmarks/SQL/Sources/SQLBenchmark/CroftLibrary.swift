import CroftSQL
import Foundation

/// CroftSQL through its pool: writes via `writeSync` (BEGIN IMMEDIATE on the writer queue),
/// reads inside one `readSync` closure (one snapshot) with the ordinary `fetchOne`/`fetchAll` API.
final class CroftLibrary: Library {
    /// How rows are read.
    enum ReadAPI {
        /// Owned `Row` values: `fetchOne(sql, id)` then `row.int64("id")`.
        case row
        /// `RowView`: `fetchOne(sql, id) { try $0.int64("id") ... }`, by column name, nothing copied.
        case view
        /// The statement itself, by column index: `each(sql) { $0.int64(at: 0) }`.
        case each
    }

    let name: String
    let pool: DatabasePool
    let api: ReadAPI

    init(path: String, api: ReadAPI) throws {
        switch api {
        case .row: name = "CroftSQL"
        case .view: name = "CroftSQL view"
        case .each: name = "CroftSQL each"
        }
        self.api = api
        pool = try DatabasePool(path: path)
        try pool.writeWithoutTransactionSync { db in try db.executeScript(SQL.schema) }
    }

    func singleInsertTransactions(_ count: Int) throws {
        for n in 0..<count {
            try pool.writeSync { db in try db.execute(SQL.insert, n % 1000, SQL.title(n), Double(n) / 7) }
        }
    }

    func batchedInserts(batches: Int, perBatch: Int) throws {
        for batch in 0..<batches {
            try pool.writeSync { db in
                for n in batch * perBatch..<(batch + 1) * perBatch {
                    try db.execute(SQL.insert, n % 1000, SQL.title(n), Double(n) / 7)
                }
            }
        }
    }

    func pointReads(_ ids: [Int64]) throws -> Int {
        try pool.readSync { db in
            switch api {
            case .row: try Self.pointReadsThroughRow(db, ids)
            case .view: try Self.pointReadsThroughView(db, ids)
            case .each: try Self.pointReadsThroughEach(db, ids)
            }
        }
    }

    // One function per read path, so a profiler (callgrind --toggle-collect) can count each alone.
    @inline(never)
    static func pointReadsThroughRow(_ db: Connection, _ ids: [Int64]) throws -> Int {
        var total = 0
        for id in ids {
            guard let row = try db.fetchOne(SQL.point, id) else { continue }
            let title = try row.string("title")
            total &+= Int(try row.int64("id")) &+ title.utf8.count &+ Int(try row.double("score"))
        }
        return total
    }

    @inline(never)
    static func pointReadsThroughView(_ db: Connection, _ ids: [Int64]) throws -> Int {
        var total = 0
        for id in ids {
            total &+= try db.fetchOne(SQL.point, id) { row in
                Int(try row.int64("id")) &+ (try row.string("title")).utf8.count &+ Int(try row.double("score"))
            } ?? 0
        }
        return total
    }

    @inline(never)
    static func pointReadsThroughEach(_ db: Connection, _ ids: [Int64]) throws -> Int {
        var total = 0
        for id in ids {
            try db.each(SQL.point, arguments: StatementArguments([.integer(id)])) { statement in
                total &+= Int(statement.int64(at: 0)) &+ statement.string(at: 1).utf8.count &+ Int(statement.double(at: 2))
            }
        }
        return total
    }

    func rangeReads(_ categories: [Int64]) throws -> Int {
        try pool.readSync { db in
            var total = 0
            for category in categories {
                switch api {
                case .row:
                    for row in try db.fetchAll(SQL.range, category) {
                        total &+= Int(try row.int64("id")) &+ (try row.string("title")).utf8.count &+ Int(try row.double("score"))
                    }
                case .view:
                    try db.forEachRow(SQL.range, category) { row in
                        total &+= Int(try row.int64("id")) &+ (try row.string("title")).utf8.count &+ Int(try row.double("score"))
                    }
                case .each:
                    try db.each(SQL.range, arguments: StatementArguments([.integer(category)])) { statement in
                        total &+= Int(statement.int64(at: 0)) &+ statement.string(at: 1).utf8.count &+ Int(statement.double(at: 2))
                    }
                }
            }
            return total
        }
    }

    func close() { pool.close() }
}
