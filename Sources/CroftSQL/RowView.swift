import CSQLite

/// The row a statement is positioned on, read in place: ``Row``'s accessors with nothing copied.
///
/// A `RowView` is handed to the closures of ``Connection/fetchOne(_:_:map:)``,
/// ``Connection/fetchAll(_:_:map:)`` and ``Connection/forEachRow(_:_:body:)``. Reading through it
/// allocates nothing but the values you take out (a long string, say), which makes it the fast path
/// for hot reads; models decode through it.
///
/// ```swift
/// let title = try db.fetchOne("SELECT title FROM notes WHERE id = ?", id) { try $0.string("title") }
/// let notes = try db.fetchAll("SELECT * FROM notes WHERE owner_id = ?", owner) { try $0.decode(Note.self) }
/// ```
///
/// A view is valid only inside the closure that received it. Once its statement steps on or is reset,
/// using the view stops the process with a message saying so, rather than read another row's data.
/// Take ``row`` for an owned ``Row`` you can keep.
public struct RowView: ColumnReading {
    /// Retained (one reference count per row), so a view kept past its closure still reaches a live
    /// statement and its check traps, whatever happened to the statement cache since.
    private let statement: Statement
    /// Unretained: the statement holds its columns, and every use first checks the view is still on
    /// its row, which is true only while the statement still has these columns.
    private let columnsReference: Unmanaged<ColumnIndex>
    /// The statement's generation when the view was made; it is bumped on each step and reset.
    private let generation: UInt

    /// A view of the row `statement` is on; `columns` is its ``Statement/unretainedColumns()``.
    @usableFromInline
    init(statement: Statement, columns: Unmanaged<ColumnIndex>) {
        self.statement = statement
        self.columnsReference = columns
        self.generation = statement.generation
        statement.nameHint = 0
    }

    /// Runs `body` with the statement, after checking that it is still on this view's row.
    @inline(__always)
    private func withCurrent<R>(_ body: (Statement) throws -> R) rethrows -> R {
        precondition(statement.generation == generation,
                     "a RowView was used after its statement moved on; copy values out inside the closure, or keep `view.row`")
        return try body(statement)
    }

    /// The statement, after checking that it is still on this view's row (for the slower paths).
    private var current: Statement {
        withCurrent { $0 }
    }

    /// The column names of the statement, looked up once per query, not per row.
    public var columns: ColumnIndex {
        withCurrent { _ in columnsReference.takeUnretainedValue() }
    }

    /// An owned copy of the row, which outlives the view.
    public var row: Row { current.row(columns: columns) }

    /// The value at `index`, in its stored type.
    public subscript(index: Int) -> SQLValue { current.value(at: index) }

    /// The position of column `name`, if any (a hint makes reading columns in order one comparison each).
    public func index(ofColumn name: String) -> Int? { lookUp(name) }

    /// True when column `name` is NULL (or missing).
    public func isNull(_ name: String) -> Bool {
        guard let index = lookUp(name) else { return true }
        return current.isNull(at: index)
    }

    // The typed accessors read SQLite's column straight into the Swift type, after checking its
    // storage class, with the same conversions as ``DatabaseValueConvertible``. They go through the
    // column's sqlite3_value: one lookup of the column instead of one per sqlite3_column_* call.

    /// Column `name` as a non-NULL integer (a real with no fractional part also reads).
    public func int64(_ name: String) throws -> Int64 {
        let index = try position(of: name)
        let value = statement.columnValue(at: index)  // position(of:) checked the view is current
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: return sqlite3_value_int64(value)
        case SQLITE_FLOAT:
            if let exact = Int64(exactly: sqlite3_value_double(value)) { return exact }
        default: break
        }
        throw mismatch(index, "Int64")
    }

    /// Column `name` as a non-NULL double (integers read too).
    public func double(_ name: String) throws -> Double {
        let index = try position(of: name)
        let value = statement.columnValue(at: index)  // position(of:) checked the view is current
        switch sqlite3_value_type(value) {
        case SQLITE_FLOAT, SQLITE_INTEGER: return sqlite3_value_double(value)
        default: throw mismatch(index, "Double")
        }
    }

    /// Column `name` as non-NULL text.
    public func string(_ name: String) throws -> String {
        let index = try position(of: name)
        let value = statement.columnValue(at: index)  // position(of:) checked the view is current
        guard sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else {
            throw mismatch(index, "String")
        }
        // Text first, then its byte count, as https://sqlite.org/c3ref/column_blob.html advises.
        let count = Int(sqlite3_value_bytes(value))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `name` as a non-NULL boolean (any non-zero number is `true`).
    public func bool(_ name: String) throws -> Bool {
        let index = try position(of: name)
        let value = statement.columnValue(at: index)  // position(of:) checked the view is current
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: return sqlite3_value_int64(value) != 0
        case SQLITE_FLOAT: return sqlite3_value_double(value) != 0
        default: throw mismatch(index, "Bool")
        }
    }

    /// Decodes a model with its ``Model/columnNaming`` (snake_case columns by default).
    public func decode<T: Model>(_ type: T.Type = T.self) throws -> T {
        try RowDecoder(columnNaming: T.columnNaming).decode(type, from: self)
    }

    /// Decodes a `Decodable` value whose coding keys are column names, like ``Row/decode(_:)``.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try RowDecoder().decode(type, from: self)
    }

    /// The position of `name`. Code usually reads columns in the order it selected them, so the
    /// column after the last one read is tried first: one compare of two small strings, no scan.
    @inline(__always)
    private func lookUp(_ name: String) -> Int? {
        withCurrent { statement in
            columnsReference._withUnsafeGuaranteedRef { columns in
                let hint = statement.nameHint
                let names = columns.firstOccurrenceNames
                if hint < names.count, names[hint] == name {
                    statement.nameHint = hint + 1
                    return hint
                }
                guard let index = columns.index(of: name) else { return nil }
                statement.nameHint = index + 1
                return index
            }
        }
    }

    @inline(__always)
    private func position(of name: String) throws -> Int {
        guard let index = lookUp(name) else {
            throw RowDecodingError.missingColumn(name, available: columns.names)
        }
        return index
    }

    private func mismatch(_ index: Int, _ expected: String) -> RowDecodingError {
        .typeMismatch(column: columns.names[index], expected: expected, found: current.value(at: index))
    }
}

extension RowView: RowValues {
    func value(at index: Int) -> SQLValue { current.value(at: index) }
}

@available(*, unavailable)
extension RowView: Sendable {}
