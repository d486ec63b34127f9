/// What both row types read, so code can take either: ``Row`` (an owned copy) and ``RowView`` (read in
/// place inside a fetch closure). Each implements the typed accessors its own fast way; the lookups by
/// name, the generic `get` and the subscripts are written once, here.
///
/// ```swift
/// func title(of row: some ColumnReading) throws -> String { try row.string("title") }
/// ```
public protocol ColumnReading {
    /// The column names.
    var columns: ColumnIndex { get }
    /// The value at `index`, in its stored type.
    subscript(index: Int) -> SQLValue { get }
    /// The position of the column called `name`, if any.
    func index(ofColumn name: String) -> Int?
    /// Column `name` as a non-NULL integer.
    func int64(_ name: String) throws -> Int64
    /// Column `name` as a non-NULL double.
    func double(_ name: String) throws -> Double
    /// Column `name` as non-NULL text.
    func string(_ name: String) throws -> String
    /// Column `name` as a non-NULL boolean.
    func bool(_ name: String) throws -> Bool
}

extension ColumnReading {
    /// The number of columns.
    @inlinable public var count: Int { columns.count }

    /// True when the row has a column called `name`.
    @inlinable public func hasColumn(_ name: String) -> Bool { index(ofColumn: name) != nil }

    /// Column `name` as a non-NULL `Int`.
    @inlinable public func int(_ name: String) throws -> Int { Int(try int64(name)) }

    /// The value of column `name`, or `.null` when there is no such column.
    @inlinable public subscript(name: String) -> SQLValue {
        guard let index = index(ofColumn: name) else { return .null }
        return self[index]
    }

    /// Column `name` converted to `T`, or `nil` when missing, NULL, or of another type.
    @inlinable public subscript<T: DatabaseValueConvertible>(name: String) -> T? {
        guard let index = index(ofColumn: name) else { return nil }
        return T.fromSQLValue(self[index])
    }

    /// Column `name` converted to `T`, throwing ``RowDecodingError`` when missing or mismatched.
    ///
    /// Ask for an optional type (`String?`) to accept NULL.
    public func get<T: DatabaseValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let index = index(ofColumn: name) else {
            throw RowDecodingError.missingColumn(name, available: columns.names)
        }
        return try get(index, as: type)
    }

    /// Column `index` converted to `T`, throwing ``RowDecodingError`` when mismatched.
    public func get<T: DatabaseValueConvertible>(_ index: Int, as type: T.Type = T.self) throws -> T {
        let names = columns.names
        guard index >= 0, index < names.count else {
            throw RowDecodingError.missingColumn("#\(index)", available: names)
        }
        let value = self[index]
        guard let converted = T.fromSQLValue(value) else {
            throw RowDecodingError.typeMismatch(column: names[index], expected: "\(T.self)", found: value)
        }
        return converted
    }
}
