import CSQLite
import Foundation

extension Connection {
    /// Replaces this database's content with the database at `path`, through the online backup API.
    ///
    /// Going through SQLite (not a file copy) keeps the live file, its `-wal` and `-shm` consistent, and
    /// other connections simply see the new content at their next transaction. The copy is one write
    /// transaction on this connection: it waits for (then excludes) other writers.
    /// https://sqlite.org/backup.html and https://sqlite.org/c3ref/backup_finish.html
    public func restore(from path: String) throws {
        var source: OpaquePointer?
        let openCode = sqlite3_open_v2(path, &source, SQLITE_OPEN_READONLY, nil)
        defer { sqlite3_close_v2(source) }
        guard openCode == SQLITE_OK, let source else {
            let error = SQLiteError(handle: source, resultCode: openCode, sql: nil)
            throw DatabaseOpenError(path: path, reason: error.message, underlying: error)
        }
        try Connection.copyPages(from: source, to: handle, description: "restore from \(path)")
        clearStatementCache()
    }
}
