/// One SQLite value: the five storage classes of https://sqlite.org/datatype3.html.
///
/// Values are what gets bound to `?` parameters and what a ``Row`` holds. Swift types reach them
/// through ``DatabaseValueConvertible``.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes, stored as given.
    case blob([UInt8])

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The storage class name (`NULL`, `INTEGER`, `REAL`, `TEXT`, `BLOB`), for errors that must not show data.
    public var storageClass: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }

    /// A short rendering for debugging (blobs show their size only).
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): "'\(value)'"
        case .blob(let bytes): "<\(bytes.count) bytes>"
        }
    }
}

extension SQLValue: DatabaseValueConvertible {
    /// A value is its own SQL value.
    public var sqlValue: SQLValue { self }

    /// Any value converts to itself.
    public static func fromSQLValue(_ value: SQLValue) -> SQLValue? { value }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// An integer literal is `.integer`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A float literal is `.real`.
    public init(floatLiteral value: Double) { self = .real(value) }
    /// A string literal is `.text`.
    public init(stringLiteral value: String) { self = .text(value) }
    /// A boolean literal is `.integer(1)` or `.integer(0)`, SQLite's booleans.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
