import Foundation

/// The four measurements, run the same way against each library.
protocol Library {
    var name: String { get }
    /// N transactions of one INSERT each.
    func singleInsertTransactions(_ count: Int) throws
    /// `batches` transactions of `perBatch` INSERTs.
    func batchedInserts(batches: Int, perBatch: Int) throws
    /// `count` lookups by primary key (id, title, score), all inside one read transaction.
    func pointReads(_ ids: [Int64]) throws -> Int
    /// `count` queries of 50 rows by indexed category.
    func rangeReads(_ categories: [Int64]) throws -> Int
    func close()
}

enum SQL {
    static let schema = """
        CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, category INTEGER NOT NULL, title TEXT NOT NULL, score REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS items_category ON items (category, id);
        """
    static let insert = "INSERT INTO items (category, title, score) VALUES (?, ?, ?)"
    static let point = "SELECT id, title, score FROM items WHERE id = ?"
    static let range = "SELECT id, title, score FROM items WHERE category = ? ORDER BY id LIMIT 50"
    static let pragmas = """
        PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
        PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 134217728; PRAGMA journal_size_limit = 27103364; PRAGMA cache_size = 2000;
        """
    static func title(_ n: Int) -> String { "item number \(n) with a reasonably sized title" }
}

struct Measurement {
    var library: String
    var workload: String
    var operations: Int
    var seconds: Double
    var perSecond: Double { Double(operations) / seconds }
}

func measure(_ library: String, _ workload: String, operations: Int, _ body: () throws -> Void) rethrows -> Measurement {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Measurement(library: library, workload: workload, operations: operations, seconds: seconds)
}
