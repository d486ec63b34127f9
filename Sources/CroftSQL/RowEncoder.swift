import Foundation

/// Encodes an `Encodable` value into ordered column → value pairs, the inverse of ``RowDecoder``.
///
/// `nil` optionals encode as NULL (so an update can clear a column); ``DatabaseValueConvertible``
/// types encode as themselves; other nested `Codable` types encode as JSON text.
public struct RowEncoder {
    /// How coding keys name columns.
    public var columnNaming: ColumnNaming

    /// Creates an encoder (coding keys are column names as written, unless `columnNaming` says otherwise).
    public init(columnNaming: ColumnNaming = .asWritten) {
        self.columnNaming = columnNaming
    }

    /// The columns and values of `value`, in coding-key order.
    public func encode<T: Encodable>(_ value: T) throws -> [(column: String, value: SQLValue)] {
        let storage = ColumnStorage(naming: columnNaming)
        try value.encode(to: RowEncoding(storage: storage))
        return storage.columns
    }
}

/// Collects encoded columns; a class so every container of one encoding writes to the same place.
private final class ColumnStorage {
    var columns: [(column: String, value: SQLValue)] = []
    let naming: ColumnNaming

    init(naming: ColumnNaming) {
        self.naming = naming
    }

    func set(_ key: String, _ value: SQLValue) {
        let column = naming.column(for: key)
        if let index = columns.firstIndex(where: { $0.column == column }) {
            columns[index].value = value
        } else {
            columns.append((column, value))
        }
    }
}

private struct RowEncoding: Encoder {
    let storage: ColumnStorage
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowKeyedEncoding<Key>(storage: storage))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("a row encodes from a keyed container (a struct with properties)")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        preconditionFailure("a row encodes from a keyed container (a struct with properties)")
    }
}

private struct RowKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: ColumnStorage
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { storage.set(key.stringValue, .null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.set(key.stringValue, try ColumnEncoding.sqlValue(of: value, column: key.stringValue))
    }

    // Synthesized Codable skips nil optionals via encodeIfPresent; a row must write NULL instead.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure("nested containers are stored as JSON text; make the property Codable")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        preconditionFailure("nested containers are stored as JSON text; make the property Codable")
    }

    mutating func superEncoder() -> any Encoder { RowEncoding(storage: storage) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { RowEncoding(storage: storage) }
}

/// Turns one property into one SQL value.
private enum ColumnEncoding {
    static func sqlValue<T: Encodable>(of value: T, column: String) throws -> SQLValue {
        if let convertible = value as? any DatabaseValueConvertible { return convertible.sqlValue }
        // Enums with raw values and single-value wrappers encode one scalar; capture it.
        let probe = SingleValueProbe()
        do {
            try value.encode(to: probe)
            if let captured = probe.captured { return captured }
        } catch is SingleValueProbe.NotSingle {
            // Fall through to JSON.
        }
        let data = try JSONEncoder().encode(value)
        return .text(String(decoding: data, as: UTF8.self))
    }
}

/// An encoder that accepts exactly one scalar, used to store `RawRepresentable` enums as their raw value.
private final class SingleValueProbe: Encoder, SingleValueEncodingContainer {
    struct NotSingle: Error {}
    var captured: SQLValue?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RefusingKeyed<Key>())
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { captured = .null }
    func encode<T: Encodable>(_ value: T) throws {
        guard let convertible = value as? any DatabaseValueConvertible else { throw NotSingle() }
        captured = convertible.sqlValue
    }
    func encode(_ value: Bool) throws { captured = value.sqlValue }
    func encode(_ value: String) throws { captured = value.sqlValue }
    func encode(_ value: Double) throws { captured = value.sqlValue }
    func encode(_ value: Float) throws { captured = Double(value).sqlValue }
    func encode(_ value: Int) throws { captured = value.sqlValue }
    func encode(_ value: Int8) throws { captured = .integer(Int64(value)) }
    func encode(_ value: Int16) throws { captured = .integer(Int64(value)) }
    func encode(_ value: Int32) throws { captured = .integer(Int64(value)) }
    func encode(_ value: Int64) throws { captured = .integer(value) }
    func encode(_ value: UInt) throws { captured = .integer(Int64(bitPattern: UInt64(value))) }
    func encode(_ value: UInt8) throws { captured = .integer(Int64(value)) }
    func encode(_ value: UInt16) throws { captured = .integer(Int64(value)) }
    func encode(_ value: UInt32) throws { captured = .integer(Int64(value)) }
    func encode(_ value: UInt64) throws { captured = .integer(Int64(bitPattern: value)) }
}

/// Keyed and unkeyed containers that make the probe give up, so the value is stored as JSON.
private struct RefusingKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws { throw SingleValueProbe.NotSingle() }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw SingleValueProbe.NotSingle() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(RefusingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    mutating func superEncoder() -> any Encoder { SingleValueProbe() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SingleValueProbe() }
}

private struct RefusingUnkeyed: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws { throw SingleValueProbe.NotSingle() }
    mutating func encode<T: Encodable>(_ value: T) throws { throw SingleValueProbe.NotSingle() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(RefusingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
    mutating func superEncoder() -> any Encoder { SingleValueProbe() }
}
