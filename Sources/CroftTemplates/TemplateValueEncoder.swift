import CroftCore
import Foundation

/// Encodes an `Encodable` value straight into a ``TemplateValue`` tree (no JSON text in between).
///
/// Keys become snake_case, as Django templates and the database columns spell them: a property
/// `createdAt` is `{{ note.created_at }}` (keys without capitals are kept as they are).
///
/// Containers write into reference-typed ``EncodingNode``s so nested containers can be filled in
/// any order; the tree is turned into values once encoding is done.
enum TemplateValueEncoder {
    /// Encodes `value`.
    static func encode<Value: Encodable>(_ value: Value) throws -> TemplateValue {
        if let special = specialValue(value) { return special }
        let node = EncodingNode()
        try value.encode(to: NodeEncoder(node: node, codingPath: []))
        return node.resolved
    }

    /// Encodes a child value completely and returns it (its `encode(to:)` finishes before returning).
    static func encodeChild<Value: Encodable>(_ value: Value, codingPath: @autoclosure () -> [any CodingKey]) throws -> TemplateValue {
        if let special = specialValue(value) { return special }
        let node = EncodingNode()
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath()))
        return node.resolved
    }

    /// Values encoded as themselves rather than through their `Encodable` conformance.
    ///
    /// Compares metatypes first (a pointer comparison), so ordinary structs pay no dynamic cast.
    static func specialValue<Value>(_ value: Value) -> TemplateValue? {
        switch Value.self {
        case is TemplateValue.Type: value as? TemplateValue
        case is Date.Type: (value as? Date).map(TemplateValue.date)
        case is URL.Type: (value as? URL).map { .string($0.absoluteString) }
        case is Decimal.Type: (value as? Decimal).map { .double(NSDecimalNumber(decimal: $0).doubleValue) }
        case is Data.Type: (value as? Data).map { .string($0.base64EncodedString()) }
        default: nil
        }
    }

    static func integer<Integer: BinaryInteger>(_ value: Integer) -> TemplateValue {
        Int(exactly: value).map(TemplateValue.int) ?? .double(Double(value))
    }
}

/// A value being encoded: a single value, a keyed container or an unkeyed one.
///
/// Finished values are stored directly; only nested containers, which the caller may fill
/// later, are kept as child nodes and resolved at the end.
final class EncodingNode {
    var value: TemplateValue?
    var keyed: [String: TemplateValue]?
    var keyedNodes: [String: EncodingNode]?
    var unkeyed: [TemplateValue]?
    var unkeyedNodes: [(Int, EncodingNode)]?

    /// The finished value.
    var resolved: TemplateValue {
        if var keyed {
            for (key, node) in keyedNodes ?? [:] { keyed[key] = node.resolved }
            return .dictionary(keyed)
        }
        if var unkeyed {
            for (index, node) in unkeyedNodes ?? [] { unkeyed[index] = node.resolved }
            return .array(unkeyed)
        }
        return value ?? .null
    }

    func set(_ value: TemplateValue, forKey key: String) {
        if keyed == nil { keyed = [:] }
        keyed![key] = value
    }

    func append(_ value: TemplateValue) {
        if unkeyed == nil { unkeyed = [] }
        unkeyed!.append(value)
    }

    func child(forKey key: String) -> EncodingNode {
        let node = EncodingNode()
        if keyed == nil { keyed = [:] }
        if keyedNodes == nil { keyedNodes = [:] }
        keyedNodes![key] = node
        return node
    }

    func appendChild() -> EncodingNode {
        let node = EncodingNode()
        append(.null)
        if unkeyedNodes == nil { unkeyedNodes = [] }
        unkeyedNodes!.append((unkeyed!.count - 1, node))
        return node
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) { stringValue = String(index); intValue = index }
    init?(stringValue: String) { self.stringValue = stringValue; intValue = Int(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.keyed == nil { node.keyed = [:] }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.unkeyed == nil { node.unkeyed = [] }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    private func set(_ value: TemplateValue, _ key: Key) { node.set(value, forKey: SnakeCase.convert(key.stringValue)) }
    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(TemplateValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(TemplateValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(TemplateValueEncoder.integer(value), key) }
    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        set(try TemplateValueEncoder.encodeChild(value, codingPath: codingPath + [key]), key)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(forKey: SnakeCase.convert(key.stringValue)), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(forKey: SnakeCase.convert(key.stringValue)), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: SnakeCase.convert(key.stringValue)), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var count: Int { node.unkeyed?.count ?? 0 }

    private func append(_ value: TemplateValue) { node.append(value) }
    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int(value)) }
    mutating func encode(_ value: Int8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { append(TemplateValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { append(TemplateValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { append(TemplateValueEncoder.integer(value)) }
    mutating func encode<Value: Encodable>(_ value: Value) throws {
        append(try TemplateValueEncoder.encodeChild(value, codingPath: codingPath + [IndexKey(count)]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(count)]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(count)]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath + [IndexKey(count)])
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.value = .null }
    mutating func encode(_ value: Bool) throws { node.value = .bool(value) }
    mutating func encode(_ value: String) throws { node.value = .string(value) }
    mutating func encode(_ value: Double) throws { node.value = .double(value) }
    mutating func encode(_ value: Float) throws { node.value = .double(Double(value)) }
    mutating func encode(_ value: Int) throws { node.value = .int(value) }
    mutating func encode(_ value: Int8) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: Int16) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: Int32) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: Int64) throws { node.value = TemplateValueEncoder.integer(value) }
    mutating func encode(_ value: UInt) throws { node.value = TemplateValueEncoder.integer(value) }
    mutating func encode(_ value: UInt8) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: UInt16) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: UInt32) throws { node.value = .int(Int(value)) }
    mutating func encode(_ value: UInt64) throws { node.value = TemplateValueEncoder.integer(value) }
    mutating func encode<Value: Encodable>(_ value: Value) throws {
        node.value = try TemplateValueEncoder.encodeChild(value, codingPath: codingPath)
    }
}
