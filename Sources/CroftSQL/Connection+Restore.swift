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
        guard let backup = sqlite3_backup_init(handle, "main", source, "main") else {
            throw SQLiteError(handle: handle, resultCode: sqlite3_errcode(handle), sql: "restore from \(path)")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { usleep(10_000) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finishCode = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finishCode == SQLITE_OK else {
            throw SQLiteError(handle: handle, resultCode: code == SQLITE_DONE ? finishCode : code, sql: "restore from \(path)")
        }
        clearStatementCache()
    }
}
