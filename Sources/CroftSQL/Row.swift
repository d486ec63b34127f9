/// One result row: values by position, looked up by column name through a shared ``ColumnIndex``.
///
/// ```swift
/// let row = try db.fetchOne("SELECT id, title FROM notes WHERE id = ?", 1)!
/// let id = try row.int64("id")
/// let title: String = try row.get("title")
/// let maybe: String? = row["title"]      // nil when NULL, missing, or not text
/// let note = try row.decode(Note.self)   // Codable
/// ```
public struct Row: Sendable, CustomStringConvertible, ColumnReading {
    /// The column names, shared with other rows of the same statement.
    public let columns: ColumnIndex
    /// The values, in column order.
    public let values: [SQLValue]

    /// Creates a row from its columns and values (which must have the same count).
    public init(columns: ColumnIndex, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// Creates a row from name/value pairs, in order; handy in tests.
    public init(_ pairs: KeyValuePairs<String, SQLValue>) {
        self.init(columns: ColumnIndex(names: pairs.map(\.key)), values: pairs.map(\.value))
    }

    /// The value at `index`.
    public subscript(index: Int) -> SQLValue { values[index] }

    /// The position of column `name`, if any.
    public func index(ofColumn name: String) -> Int? { columns.index(of: name) }

    // The typed accessors below are concrete, not calls to the generic `get`, so a caller in another
    // module pays no generic dispatch on the hot path of reading a row.

    /// Column `name` as a non-NULL integer.
    public func int64(_ name: String) throws -> Int64 {
        let index = try position(of: name)
        guard let value = Int64.fromSQLValue(values[index]) else { throw mismatch(index, "Int64") }
        return value
    }

    /// Column `name` as a non-NULL double.
    public func double(_ name: String) throws -> Double {
        let index = try position(of: name)
        guard let value = Double.fromSQLValue(values[index]) else { throw mismatch(index, "Double") }
        return value
    }

    /// Column `name` as a non-NULL string.
    public func string(_ name: String) throws -> String {
        let index = try position(of: name)
        guard case .text(let value) = values[index] else { throw mismatch(index, "String") }
        return value
    }

    /// Column `name` as a non-NULL boolean.
    public func bool(_ name: String) throws -> Bool {
        let index = try position(of: name)
        guard let value = Bool.fromSQLValue(values[index]) else { throw mismatch(index, "Bool") }
        return value
    }

    @inline(__always)
    private func position(of name: String) throws -> Int {
        guard let index = columns.index(of: name) else {
            throw RowDecodingError.missingColumn(name, available: columns.names)
        }
        return index
    }

    private func mismatch(_ index: Int, _ expected: String) -> RowDecodingError {
        .typeMismatch(column: columns.names[index], expected: expected, found: values[index])
    }

    /// `(id: 1, title: 'Hello')`: for debugging.
    public var description: String {
        "(" + zip(columns.names, values).map { "\($0): \($1)" }.joined(separator: ", ") + ")"
    }
}
