/// Turns an `Encodable` value into a `JSON` document, for `JSONWriter` to write. Members come out in
/// the order `encode(to:)` wrote them (Foundation's JSONEncoder leaves the order to the platform), a nil
/// optional written with `encodeIfPresent` (what synthesized conformances use) is left out, and an
/// explicit `encode(nil)` writes `null`.
///
///     let text = try JSONWriter.compact.string(try JSONValueEncoder().encode(response))
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        let node = EncodingNode()
        try value.encode(to: NodeEncoder(node: node, codingPath: []))
        return node.json()
    }
}

/// One value being built: a scalar, an object whose members keep their first-write position, or an
/// array. A class, because nested containers write into it after they are handed out.
final class EncodingNode {
    private var scalar: JSON?
    private var memberKeys: [String]?
    private var members: [String: EncodingNode] = [:]
    private var items: [EncodingNode]?

    func set(_ value: JSON) { scalar = value }

    /// The node of member `key`, a fresh one (a key written twice keeps its place, last value wins).
    func member(_ key: String) -> EncodingNode {
        makeObject()
        if members[key] == nil { memberKeys!.append(key) }
        let node = EncodingNode()
        members[key] = node
        return node
    }

    func appendItem() -> EncodingNode {
        makeArray()
        let node = EncodingNode()
        items!.append(node)
        return node
    }

    var itemCount: Int { items?.count ?? 0 }

    func makeObject() { if memberKeys == nil { memberKeys = [] } }
    func makeArray() { if items == nil { items = [] } }

    func json() -> JSON {
        if let memberKeys { return .object(JSONObject(memberKeys.map { ($0, members[$0]!.json()) })) }
        if let items { return .array(items.map { $0.json() }) }
        // A value that wrote nothing is an empty object, as Foundation encodes it.
        return scalar ?? .object(JSONObject())
    }
}

/// A coding key for array positions and the `super` member.
struct JSONCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }

    static let superKey = JSONCodingKey(stringValue: "super")
}

/// A scalar as JSON. Integers that do not fit `Int` become doubles; a Float keeps its short spelling
/// (`0.1`, not `0.10000000149011612`).
enum JSONScalarEncoding {
    static func integer<T: BinaryInteger>(_ value: T) -> JSON {
        if let i = Int(exactly: value) { return .int(i) }
        return .double(Double(value))
    }

    static func float(_ value: Float) -> JSON {
        guard value.isFinite else { return .double(Double(value)) }
        return .double(Double("\(value)") ?? Double(value))
    }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedNodeEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedNodeEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeEncoding(node: node, codingPath: codingPath)
    }
}

struct KeyedNodeEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func put(_ value: JSON, _ key: Key) { node.member(key.stringValue).set(value) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(JSONScalarEncoding.float(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(JSONScalarEncoding.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.member("super"), codingPath: codingPath + [JSONCodingKey.superKey])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeEncoding: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.itemCount }

    private func put(_ value: JSON) { node.appendItem().set(value) }
    private func nextEncoder() -> NodeEncoder {
        let key = JSONCodingKey(intValue: count)
        return NodeEncoder(node: node.appendItem(), codingPath: codingPath + [key])
    }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(.double(value)) }
    mutating func encode(_ value: Float) throws { put(JSONScalarEncoding.float(value)) }
    mutating func encode(_ value: Int) throws { put(.int(value)) }
    mutating func encode(_ value: Int8) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(JSONScalarEncoding.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: nextEncoder()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nextEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nextEncoder().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { nextEncoder() }
}

struct SingleNodeEncoding: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(.double(value)) }
    mutating func encode(_ value: Float) throws { node.set(JSONScalarEncoding.float(value)) }
    mutating func encode(_ value: Int) throws { node.set(.int(value)) }
    mutating func encode(_ value: Int8) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int16) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int32) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: Int64) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt8) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt16) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt32) throws { node.set(JSONScalarEncoding.integer(value)) }
    mutating func encode(_ value: UInt64) throws { node.set(JSONScalarEncoding.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}
