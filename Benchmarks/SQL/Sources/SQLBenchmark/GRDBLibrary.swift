import Foundation
import GRDB

/// GRDB's DatabasePool with the same pragmas, cached statements and `Row` access by name.
final class GRDBLibrary: Library {
    let name = "GRDB"
    let pool: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 134217728; PRAGMA journal_size_limit = 27103364; PRAGMA cache_size = 2000")
        }
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in try db.execute(sql: SQL.schema) }
    }

    func singleInsertTransactions(_ count: Int) throws {
        for n in 0..<count {
            try pool.write { db in
                try db.cachedStatement(sql: SQL.insert).execute(arguments: [n % 1000, SQL.title(n), Double(n) / 7])
            }
        }
    }

    func batchedInserts(batches: Int, perBatch: Int) throws {
        for batch in 0..<batches {
            try pool.write { db in
                let statement = try db.cachedStatement(sql: SQL.insert)
                for n in batch * perBatch..<(batch + 1) * perBatch {
                    try statement.execute(arguments: [n % 1000, SQL.title(n), Double(n) / 7])
                }
            }
        }
    }

    func pointReads(_ ids: [Int64]) throws -> Int {
        try pool.read { db in
            var total = 0
            for id in ids {
                guard let row = try Row.fetchOne(db.cachedStatement(sql: SQL.point), arguments: [id]) else { continue }
                let rowID: Int64 = row["id"]
                let title: String = row["title"]
                let score: Double = row["score"]
                total &+= Int(rowID) &+ title.utf8.count &+ Int(score)
            }
            return total
        }
    }

    func rangeReads(_ categories: [Int64]) throws -> Int {
        try pool.read { db in
            var total = 0
            for category in categories {
                let rows = try Row.fetchCursor(db.cachedStatement(sql: SQL.range), arguments: [category])
                while let row = try rows.next() {
                    let rowID: Int64 = row["id"]
                    let title: String = row["title"]
                    let score: Double = row["score"]
                    total &+= Int(rowID) &+ title.utf8.count &+ Int(score)
                }
            }
            return total
        }
    }

    func close() { try? pool.close() }
}
