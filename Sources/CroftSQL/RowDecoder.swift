import CroftCore
import Foundation

/// How coding keys map to column names.
public enum ColumnNaming: Sendable {
    /// `ownerID` is the column `owner_id` (a key already in snake_case, or an explicit `CodingKeys` rename,
    /// is used as written): the default for every ``Model``.
    case snakeCase
    /// The coding key is the column name exactly: the default for plain `Decodable` rows.
    case asWritten

    /// The column for a coding key.
    @inline(__always)
    func column(for key: String) -> String {
        switch self {
        case .asWritten: key
        case .snakeCase: SnakeCase.convert(key)
        }
    }
}

/// Decodes a `Decodable` value from a ``Row``: each coding key is a column name.
///
/// Properties whose types are ``DatabaseValueConvertible`` (numbers, strings, `Date`, `UUID`,
/// `Data`, optionals) read their column directly; `RawRepresentable` enums go through their raw
/// value; any other nested `Codable` type is read from a JSON text column.
///
/// `let note = try row.decode(Note.self)` or `try RowDecoder().decode(Note.self, from: row)`.
public struct RowDecoder {
    /// How coding keys name columns.
    public var columnNaming: ColumnNaming

    /// Creates a decoder (coding keys are column names as written, unless `columnNaming` says otherwise).
    public init(columnNaming: ColumnNaming = .asWritten) {
        self.columnNaming = columnNaming
    }

    /// Decodes `type` from `row`.
    public func decode<T: Decodable>(_ type: T.Type, from row: Row) throws -> T {
        try T(from: RowDecoding(row: row, naming: columnNaming))
    }

    /// Decodes `type` from the row a statement is on, reading each column in place.
    public func decode<T: Decodable>(_ type: T.Type, from row: RowView) throws -> T {
        try T(from: RowDecoding(row: row, naming: columnNaming))
    }
}

/// What the decoder reads: column names and values by position (a ``Row`` or a ``RowView``).
protocol RowValues {
    var columns: ColumnIndex { get }
    func value(at index: Int) -> SQLValue
}

extension Row: RowValues {
    func value(at index: Int) -> SQLValue { values[index] }
}

extension Row {
    /// Decodes a `Decodable` value whose coding keys are this row's column names.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try RowDecoder().decode(type, from: self)
    }

    /// Decodes a model with its ``Model/columnNaming`` (snake_case columns by default).
    public func decode<T: Model>(_ type: T.Type = T.self) throws -> T {
        try RowDecoder(columnNaming: T.columnNaming).decode(type, from: self)
    }
}

/// The `Decoder` over a whole row: a keyed container of columns.
private struct RowDecoding<Source: RowValues>: Decoder {
    let row: Source
    let naming: ColumnNaming
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowKeyedContainer<Key, Source>(row: row, naming: naming))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row decodes as a keyed container"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.columns.count == 1 else {
            throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "single value from a row of \(row.columns.count) columns"))
        }
        return ColumnDecoding(value: row.value(at: 0), column: row.columns.names[0], codingPath: codingPath)
    }
}

private struct RowKeyedContainer<Key: CodingKey, Source: RowValues>: KeyedDecodingContainerProtocol {
    let row: Source
    let naming: ColumnNaming
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { row.columns.names.compactMap { Key(stringValue: $0) } }

    /// The column index for `key`, by its name under the naming (a column named exactly as the key wins).
    @inline(__always)
    private func index(of key: Key) -> Int? {
        if let index = row.columns.index(of: key.stringValue) { return index }
        guard case .snakeCase = naming else { return nil }
        let column = naming.column(for: key.stringValue)
        return column == key.stringValue ? nil : row.columns.index(of: column)
    }

    func contains(_ key: Key) -> Bool { index(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = index(of: key) else { return true }
        return row.value(at: index).isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let index = index(of: key) else {
            let column = naming.column(for: key.stringValue)
            throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no column \"\(column)\" in row (columns: \(row.columns.names.joined(separator: ", ")))"))
        }
        return try ColumnDecoding(value: row.value(at: index), column: row.columns.names[index], codingPath: [key]).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "nested containers are stored as JSON text; make the property Codable"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "nested containers are stored as JSON text; make the property Codable"))
    }

    func superDecoder() throws -> any Decoder { RowDecoding(row: row, naming: naming) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoding(row: row, naming: naming) }
}

/// One column as a single-value container, and as the `Decoder` for types like enums and `Date`.
private struct ColumnDecoding: SingleValueDecodingContainer, Decoder {
    let value: SQLValue
    let column: String
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let convertible = type as? any DatabaseValueConvertible.Type {
            guard let decoded = convertible.fromSQLValue(value) as? T else { throw mismatch(type) }
            return decoded
        }
        if case .text(let json) = value, Self.looksLikeJSON(json) {
            do {
                return try JSONDecoder().decode(T.self, from: Data(json.utf8))
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "column \"\(column)\" holds invalid JSON for \(T.self)", underlyingError: error))
            }
        }
        // Enums and wrappers decode themselves through singleValueContainer() below.
        return try T(from: self)
    }

    // The standard scalar requirements all route through the generic path.
    func decode(_ type: Bool.Type) throws -> Bool { try scalar(type) }
    func decode(_ type: String.Type) throws -> String { try scalar(type) }
    func decode(_ type: Double.Type) throws -> Double { try scalar(type) }
    func decode(_ type: Float.Type) throws -> Float { Float(try scalar(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try scalar(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private func scalar<T: DatabaseValueConvertible>(_ type: T.Type) throws -> T {
        guard let decoded = T.fromSQLValue(value) else { throw mismatch(type) }
        return decoded
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let wide = Int64.fromSQLValue(value), let narrow = T(exactly: wide) else { throw mismatch(type) }
        return narrow
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        if value.isNull {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "column \"\(column)\" is NULL"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "column \"\(column)\" holds \(value.storageClass), not \(type)"))
    }

    private static func looksLikeJSON(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { $0 != 32 && $0 != 10 && $0 != 9 }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch([String: Any].self)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}
