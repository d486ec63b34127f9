import CSQLite

/// An error reported by SQLite, with the statement that caused it.
///
/// Bound values are never part of the description, so logging an error cannot leak user data.
/// Use ``isUniqueConstraintViolation`` to turn a duplicate e-mail into a form error, and
/// ``isBusy`` to recognise lock contention (which the pool is built to avoid).
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code, such as `SQLITE_CONSTRAINT` (19). https://sqlite.org/rescode.html
    public let code: Int32
    /// The extended result code, such as `SQLITE_CONSTRAINT_UNIQUE` (2067).
    public let extendedCode: Int32
    /// SQLite's own message (`sqlite3_errmsg`), or ours when the error is raised by CroftSQL.
    public let message: String
    /// The SQL text being run, if any; never includes bound values.
    public let sql: String?

    /// Creates an error from its parts.
    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// Reads the current error of a connection handle.
    init(handle: OpaquePointer?, resultCode: Int32, sql: String?) {
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? resultCode
        let message: String
        if let handle, let text = sqlite3_errmsg(handle) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(resultCode))
        }
        self.init(code: resultCode & 0xFF, extendedCode: extended, message: message, sql: sql)
    }

    /// True for a UNIQUE or PRIMARY KEY constraint failure, e.g. a duplicate username.
    ///
    /// https://sqlite.org/rescode.html#constraint_unique and #constraint_primarykey.
    public var isUniqueConstraintViolation: Bool {
        extendedCode == SQLITE_CONSTRAINT_UNIQUE_CODE || extendedCode == SQLITE_CONSTRAINT_PRIMARYKEY_CODE
    }

    /// True for any constraint failure (NOT NULL, CHECK, FOREIGN KEY, UNIQUE, ...).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// True for a foreign key constraint failure. https://sqlite.org/rescode.html#constraint_foreignkey
    public var isForeignKeyViolation: Bool { extendedCode == SQLITE_CONSTRAINT_FOREIGNKEY_CODE }

    /// True when SQLite gave up waiting for a lock (`SQLITE_BUSY` or `SQLITE_LOCKED`).
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// A one-line description: code, message and SQL (never bound values).
    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (while running: \(sql))" }
        return text
    }

    /// An error raised by CroftSQL itself (misuse), reported as `SQLITE_MISUSE`.
    static func misuse(_ message: String, sql: String? = nil) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message, sql: sql)
    }
}

// Extended codes are macros built with shifts; Swift imports only the simple ones, so spell them out.
// https://sqlite.org/rescode.html#extrc
let SQLITE_CONSTRAINT_UNIQUE_CODE: Int32 = SQLITE_CONSTRAINT | (8 << 8)
let SQLITE_CONSTRAINT_PRIMARYKEY_CODE: Int32 = SQLITE_CONSTRAINT | (6 << 8)
let SQLITE_CONSTRAINT_FOREIGNKEY_CODE: Int32 = SQLITE_CONSTRAINT | (3 << 8)
