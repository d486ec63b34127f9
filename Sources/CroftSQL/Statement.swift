import CSQLite

/// A prepared statement: SQL compiled once, bound and stepped many times.
///
/// Most code never touches one: ``Connection/execute(_:_:)`` and the fetch methods use the
/// connection's statement cache. ``Connection/each(_:arguments:_:)`` hands you the statement itself,
/// to read columns by index with no name lookup or type check (a NULL reads as 0 or "").
/// https://sqlite.org/c3ref/stmt.html
public final class Statement {
    /// The compiled statement handle.
    @usableFromInline let handle: OpaquePointer
    /// The connection handle, for error messages.
    private let databaseHandle: OpaquePointer
    /// The SQL text the statement was prepared from.
    public let sql: String
    /// The number of `?` parameters (fixed at prepare time: a re-prepare keeps the same SQL).
    let parameterCount: Int
    /// True while a caller is bound to or stepping this statement (guards cache reuse).
    var isInUse = false
    /// Column names and their index, built once and shared by every row this statement returns.
    private var cachedColumns: ColumnIndex?
    /// The same object unretained, handed to each ``RowView`` without a reference-count round trip.
    private var cachedColumnsReference: Unmanaged<ColumnIndex>?
    /// SQLite's re-preparation count for this statement when `cachedColumns` was built.
    private var cachedReprepares: Int32 = -1
    /// Bumped on every step and reset, so a ``RowView`` can tell it is no longer on its row.
    /// (Internal, not `@usableFromInline`, so the compiler sees every access and drops the runtime
    /// exclusivity checks it would otherwise make on each read.)
    var generation: UInt = 0
    /// The column a ``RowView`` by-name lookup tries first: the one after the last column read.
    var nameHint = 0

    /// Prepares `sql`, which must hold exactly one statement.
    init(databaseHandle: OpaquePointer, sql: String, persistent: Bool) throws {
        self.databaseHandle = databaseHandle
        self.sql = sql
        var statement: OpaquePointer?
        var remainderIsBlank = true
        // https://sqlite.org/c3ref/prepare.html: SQLITE_PREPARE_PERSISTENT hints a long-lived statement.
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(databaseHandle, text, -1, flags, &statement, &tail)
            if code == SQLITE_OK, var cursor = tail {
                while cursor.pointee != 0 {
                    let character = UInt8(bitPattern: cursor.pointee)
                    if character != 59 && character != 32 && character != 10 && character != 9 && character != 13 {
                        remainderIsBlank = false
                        break
                    }
                    cursor += 1
                }
            }
            return code
        }
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(handle: databaseHandle, resultCode: code, sql: sql)
        }
        guard remainderIsBlank else {
            sqlite3_finalize(statement)
            throw SQLiteError.misuse("more than one statement; use executeScript(_:) for scripts", sql: sql)
        }
        self.handle = statement
        self.parameterCount = Int(sqlite3_bind_parameter_count(statement))
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// Binds `values` to the statement's parameters, in order; the count must match.
    public func bind(_ values: [SQLValue]) throws {
        try checkArgumentCount(values.count)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Throws `SQLITE_RANGE` naming both counts unless the statement has exactly `count` parameters.
    @inline(__always)
    func checkArgumentCount(_ count: Int) throws {
        guard count == parameterCount else { throw argumentCountError(count) }
    }

    /// The error for a call with the wrong number of arguments (out of line: it is the cold path).
    @inline(never)
    private func argumentCountError(_ count: Int) -> SQLiteError {
        SQLiteError(code: SQLITE_RANGE, message: "expected \(parameterCount) arguments, got \(count)", sql: sql)
    }

    /// Binds one value to the 1-based parameter `index`. https://sqlite.org/c3ref/bind_blob.html
    public func bind(_ value: SQLValue, at index: Int32) throws {
        switch value {
        case .null:
            try check(sqlite3_bind_null(handle, index))
        case .integer(let int):
            try bind(integer: int, at: index)
        case .real(let double):
            try bind(real: double, at: index)
        case .text(let text):
            try bind(text: text, at: index)
        case .blob(let bytes):
            if bytes.isEmpty {
                try check(sqlite3_bind_zeroblob(handle, index, 0))
            } else {
                guard let length = Int32(exactly: bytes.count) else { throw bindError(SQLITE_TOOBIG) }
                try check(bytes.withUnsafeBytes {
                    croft_sqlite3_bind_blob_transient(handle, index, $0.baseAddress, length)
                })
            }
        }
    }

    /// Binds an integer to the 1-based parameter `index`.
    @inlinable
    public func bind(integer: Int64, at index: Int32) throws {
        let code = sqlite3_bind_int64(handle, index, integer)
        if code != SQLITE_OK { throw bindError(code) }
    }

    /// Binds a double to the 1-based parameter `index`.
    @inlinable
    public func bind(real: Double, at index: Int32) throws {
        let code = sqlite3_bind_double(handle, index, real)
        if code != SQLITE_OK { throw bindError(code) }
    }

    /// The error for a failed bind: SQLite's message, the code and the SQL.
    @usableFromInline
    func bindError(_ code: Int32) -> SQLiteError {
        SQLiteError(handle: databaseHandle, resultCode: code, sql: sql)
    }

    /// Binds UTF-8 text to the 1-based parameter `index` (SQLite copies it).
    public func bind(text: String, at index: Int32) throws {
        var text = text
        // Past 2 GiB, Int32(count) would trap; SQLite refuses anything past SQLITE_MAX_LENGTH anyway.
        guard Int32(exactly: text.utf8.count) != nil else { throw bindError(SQLITE_TOOBIG) }
        let code = text.withUTF8 { buffer in
            // An empty buffer may have no base address, which SQLite would read as NULL.
            guard let base = buffer.baseAddress else {
                return croft_sqlite3_bind_text_transient(handle, index, "", 0)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                croft_sqlite3_bind_text_transient(handle, index, $0, Int32(buffer.count))
            }
        }
        try check(code)
    }

    @inline(__always)
    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw SQLiteError(handle: databaseHandle, resultCode: code, sql: sql) }
    }

    /// Resets the statement so it can run again; bindings are kept. https://sqlite.org/c3ref/reset.html
    public func reset() {
        generation &+= 1
        sqlite3_reset(handle)
    }

    // MARK: Stepping

    /// Advances to the next row: `true` when a row is available, `false` when done.
    /// https://sqlite.org/c3ref/step.html
    @discardableResult
    public func step() throws -> Bool {
        generation &+= 1
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw stepError(code)
    }

    /// The error for a failed step (out of line, so ``step()`` stays small enough to be cheap).
    @inline(never)
    private func stepError(_ code: Int32) -> SQLiteError {
        SQLiteError(handle: databaseHandle, resultCode: code, sql: sql)
    }

    // MARK: Columns of the current row

    /// The number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The column names and their lookup table, shared by every ``Row`` from this statement.
    public var columns: ColumnIndex {
        unretainedColumns().takeUnretainedValue()
    }

    /// ``columns``, not retained: the statement keeps it alive until its columns change, which
    /// only happens in a step, and a ``RowView`` checks for a step before every use.
    @usableFromInline
    func unretainedColumns() -> Unmanaged<ColumnIndex> {
        // SQLite re-prepares a statement after a schema change (https://sqlite.org/c3ref/prepare.html),
        // which can rename columns; it counts those re-preparations, so an unchanged count means the
        // cached names still hold. https://sqlite.org/c3ref/c_stmtstatus_counter.html
        let reprepares = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        if reprepares == cachedReprepares, let cachedColumnsReference { return cachedColumnsReference }
        return buildColumns(reprepares: reprepares)
    }

    /// Reads the column names into a new ``ColumnIndex`` and caches it (kept out of line, so the
    /// check above stays small).
    @inline(never)
    private func buildColumns(reprepares: Int32) -> Unmanaged<ColumnIndex> {
        let count = columnCount
        var names: [String] = []
        names.reserveCapacity(count)
        for index in 0..<count {
            names.append(sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "")
        }
        let built = ColumnIndex(names: names)
        let reference = Unmanaged.passUnretained(built)
        cachedColumns = built
        cachedColumnsReference = reference
        cachedReprepares = reprepares
        return reference
    }

    /// Column `index` of the current row as SQLite's own value, to read with `sqlite3_value_*`.
    ///
    /// The value is "unprotected" (https://sqlite.org/c3ref/column_blob.html): safe here because a
    /// connection and its statements are only ever used by one thread at a time, and it is read
    /// before the statement steps again.
    @inline(__always)
    func columnValue(at index: Int) -> OpaquePointer {
        sqlite3_column_value(handle, Int32(index))
    }

    /// True when column `index` of the current row is NULL.
    @inline(__always)
    public func isNull(at index: Int) -> Bool {
        sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL
    }

    /// Column `index` of the current row as an integer (NULL reads as 0).
    @inline(__always)
    public func int64(at index: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(index))
    }

    /// Column `index` of the current row as a double (NULL reads as 0).
    @inline(__always)
    public func double(at index: Int) -> Double {
        sqlite3_column_double(handle, Int32(index))
    }

    /// Column `index` of the current row as text (NULL reads as the empty string).
    @inline(__always)
    public func string(at index: Int) -> String {
        // Text first, then its byte count, as https://sqlite.org/c3ref/column_blob.html advises.
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` of the current row as bytes.
    public func bytes(at index: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        guard count > 0, let blob = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// Column `index` of the current row in its stored type.
    public func value(at index: Int) -> SQLValue {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: .integer(int64(at: index))
        case SQLITE_FLOAT: .real(double(at: index))
        case SQLITE_TEXT: .text(string(at: index))
        case SQLITE_BLOB: .blob(bytes(at: index))
        default: .null
        }
    }

    /// The current row, copied out of SQLite into a ``Row`` value.
    public func row() -> Row {
        row(columns: columns)
    }

    /// The current row as a ``Row`` sharing `columns`, already looked up for this statement.
    @usableFromInline
    func row(columns: ColumnIndex) -> Row {
        let count = columns.count
        // Filled in place: one allocation, no per-append capacity checks.
        let values = [SQLValue](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { (buffer.baseAddress! + index).initialize(to: value(at: index)) }
            initialized = count
        }
        return Row(columns: columns, values: values)
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
