import Foundation

/// A Swift type that converts to and from one ``SQLValue``.
///
/// Conforming types can be bound as statement arguments and read from rows:
/// `Int`, `Int64`, `Int32`, `Double`, `Bool`, `String`, `Data`, `Date`, `UUID`, `SQLValue`, and
/// `Optional` of any of them (where `nil` is NULL).
public protocol DatabaseValueConvertible: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Converts a stored value back, or returns `nil` when it does not fit this type.
    static func fromSQLValue(_ value: SQLValue) -> Self?
    /// Binds the value to the 1-based parameter `index` of `statement`.
    ///
    /// The default binds ``sqlValue``; the common scalar types bind directly, without building one.
    func bind(to statement: Statement, at index: Int32) throws
}

extension DatabaseValueConvertible {
    /// Binds ``sqlValue``.
    public func bind(to statement: Statement, at index: Int32) throws {
        try statement.bind(sqlValue, at: index)
    }
}

extension Int64: DatabaseValueConvertible {
    /// Stored as `.integer`.
    public var sqlValue: SQLValue { .integer(self) }
    /// Binds the integer directly.
    @inlinable
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(integer: self, at: index) }
    /// Reads integers, and reals with no fractional part.
    public static func fromSQLValue(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let int): int
        case .real(let double): Int64(exactly: double)
        default: nil
        }
    }
}

extension Int: DatabaseValueConvertible {
    /// Stored as `.integer`.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Binds the integer directly.
    @inlinable
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(integer: Int64(self), at: index) }
    /// Reads what `Int64` reads.
    public static func fromSQLValue(_ value: SQLValue) -> Int? { Int64.fromSQLValue(value).flatMap { Int(exactly: $0) } }
}

extension Int32: DatabaseValueConvertible {
    /// Stored as `.integer`.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// Reads what `Int64` reads, when it fits.
    public static func fromSQLValue(_ value: SQLValue) -> Int32? { Int64.fromSQLValue(value).flatMap { Int32(exactly: $0) } }
}

extension Double: DatabaseValueConvertible {
    /// Stored as `.real`.
    public var sqlValue: SQLValue { .real(self) }
    /// Binds the double directly.
    @inlinable
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(real: self, at: index) }
    /// Reads reals and integers.
    public static func fromSQLValue(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let double): double
        case .integer(let int): Double(int)
        default: nil
        }
    }
}

extension Bool: DatabaseValueConvertible {
    /// Stored as `.integer(1)` or `.integer(0)`. https://sqlite.org/datatype3.html#boolean_datatype
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    /// Binds 1 or 0 directly.
    @inlinable
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(integer: self ? 1 : 0, at: index) }
    /// Reads any non-zero number as `true`.
    public static func fromSQLValue(_ value: SQLValue) -> Bool? {
        switch value {
        case .integer(let int): int != 0
        case .real(let double): double != 0
        default: nil
        }
    }
}

extension String: DatabaseValueConvertible {
    /// Stored as `.text`.
    public var sqlValue: SQLValue { .text(self) }
    /// Binds the text directly.
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(text: self, at: index) }
    /// Reads text only.
    public static func fromSQLValue(_ value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }
}

extension Data: DatabaseValueConvertible {
    /// Stored as `.blob`.
    public var sqlValue: SQLValue { .blob([UInt8](self)) }
    /// Reads blobs, and text as its UTF-8 bytes.
    public static func fromSQLValue(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let bytes): Data(bytes)
        case .text(let text): Data(text.utf8)
        default: nil
        }
    }
}

extension UUID: DatabaseValueConvertible {
    /// Stored as upper-case hyphenated text (`uuidString`), readable in the sqlite3 shell.
    public var sqlValue: SQLValue { .text(uuidString) }
    /// Reads text (any case) and 16-byte blobs.
    public static func fromSQLValue(_ value: SQLValue) -> UUID? {
        switch value {
        case .text(let text): return UUID(uuidString: text)
        case .blob(let bytes) where bytes.count == 16:
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        default: return nil
        }
    }
}

extension Date: DatabaseValueConvertible {
    /// Stored as ISO-8601 text in UTC with milliseconds, `2026-01-31T12:34:56.789Z`.
    ///
    /// That text sorts chronologically and SQLite's date functions understand it.
    /// https://sqlite.org/lang_datefunc.html#time_values
    public var sqlValue: SQLValue { .text(SQLDateFormat.string(from: self)) }
    /// Reads ISO-8601 text (with `T` or space, optional fraction and `Z`), and numbers as Unix time.
    public static func fromSQLValue(_ value: SQLValue) -> Date? {
        switch value {
        case .text(let text): SQLDateFormat.date(from: text)
        case .integer(let seconds): Date(timeIntervalSince1970: Double(seconds))
        case .real(let seconds): Date(timeIntervalSince1970: seconds)
        default: nil
        }
    }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    /// `nil` is NULL.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    /// Binds NULL, or the wrapped value as it binds itself.
    public func bind(to statement: Statement, at index: Int32) throws {
        if let self { try self.bind(to: statement, at: index) } else { try statement.bind(.null, at: index) }
    }
    /// NULL reads as `.some(nil)`; other values as the wrapped type would.
    public static func fromSQLValue(_ value: SQLValue) -> Wrapped?? {
        if value.isNull { return .some(nil) }
        guard let wrapped = Wrapped.fromSQLValue(value) else { return nil }
        return .some(wrapped)
    }
}
