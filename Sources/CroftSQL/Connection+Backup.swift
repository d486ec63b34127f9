import CSQLite
import Foundation

extension Connection {
    /// Copies this database to a new file at `path` with SQLite's online backup API.
    ///
    /// The copy is a consistent snapshot even while other connections write, unlike a file copy.
    /// An existing file at `path` is replaced. https://sqlite.org/backup.html
    public func backup(to path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        var destination: OpaquePointer?
        let openCode = sqlite3_open_v2(path, &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        defer { sqlite3_close_v2(destination) }
        guard openCode == SQLITE_OK, let destination else {
            let error = SQLiteError(handle: destination, resultCode: openCode, sql: nil)
            throw DatabaseOpenError(path: path, reason: error.message, underlying: error)
        }
        try Connection.copyPages(from: handle, to: destination, description: "backup to \(path)")
    }

    /// Copies every page of `source` into `destination` with the online backup API, in one step: one read
    /// transaction on the source, hence one consistent snapshot. Busy or locked steps are retried.
    /// https://sqlite.org/backup.html
    static func copyPages(from source: OpaquePointer, to destination: OpaquePointer, description: String) throws {
        guard let backup = sqlite3_backup_init(destination, "main", source, "main") else {
            throw SQLiteError(handle: destination, resultCode: sqlite3_errcode(destination), sql: description)
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { usleep(10_000) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finishCode = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finishCode == SQLITE_OK else {
            throw SQLiteError(handle: destination, resultCode: code == SQLITE_DONE ? finishCode : code, sql: description)
        }
    }
}
