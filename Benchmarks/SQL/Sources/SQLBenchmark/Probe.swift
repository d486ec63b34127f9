import CSQLite
import CroftSQL

/// Set BENCH_PROBE=1 to add it: raw C calls on a CroftSQL reader connection, to separate wrapper cost from connection state.
final class ProbeLibrary: Library {
    let name = "raw C on pool reader"
    let inner: CroftLibrary
    init(path: String) throws { inner = try CroftLibrary(path: path, api: .each) }
    func singleInsertTransactions(_ count: Int) throws { try inner.singleInsertTransactions(count) }
    func batchedInserts(batches: Int, perBatch: Int) throws { try inner.batchedInserts(batches: batches, perBatch: perBatch) }
    func pointReads(_ ids: [Int64]) throws -> Int {
        try inner.pool.readSync { db in
            var statement: OpaquePointer?
            sqlite3_prepare_v3(db.handle, SQL.point, -1, 0, &statement, nil)
            defer { sqlite3_finalize(statement) }
            var total = 0
            for id in ids {
                sqlite3_bind_int64(statement, 1, id)
                if sqlite3_step(statement) == SQLITE_ROW {
                    let text = sqlite3_column_text(statement, 1)!
                    let title = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, 1))), as: UTF8.self)
                    total &+= Int(sqlite3_column_int64(statement, 0)) &+ title.utf8.count &+ Int(sqlite3_column_double(statement, 2))
                }
                sqlite3_reset(statement)
            }
            return total
        }
    }
    func rangeReads(_ categories: [Int64]) throws -> Int { try inner.rangeReads(categories) }
    func close() { inner.close() }
}
