/// Reads a `Decodable` value from a `JSON` document (or from JSON text, through `JSONParser`).
///
/// Failures are Swift's `DecodingError`s with the coding path of the field (`keyNotFound`,
/// `typeMismatch`, `valueNotFound`, `dataCorrupted`), so a caller can name it; text that is not JSON
/// throws the parser's `JSONSyntaxError` (line and column). Numbers are read as Python reads them: an
/// integer field takes `3` or `3.0` but not `3.5`, a floating-point field takes both; `true` is never a
/// number.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws -> T {
        try T(from: NodeDecoder(value: json, codingPath: []))
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(type, from: try JSONParser.parse(bytes))
    }

    public func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: try JSONParser.parse(text))
    }
}

struct NodeDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw NodeDecoder.mismatch([String: JSON].self, "an object", value, codingPath)
        }
        return KeyedDecodingContainer(KeyedNodeDecoding<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw NodeDecoder.mismatch([JSON].self, "an array", value, codingPath)
        }
        return UnkeyedNodeDecoding(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleNodeDecoding(value: value, codingPath: codingPath)
    }

    /// `valueNotFound` for null, `typeMismatch` for anything else.
    static func mismatch(_ type: Any.Type, _ expected: String, _ value: JSON, _ path: [any CodingKey]) -> DecodingError {
        if value == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "expected \(expected), got null"))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected), got \(value.typeName)"))
    }

    // MARK: Scalars

    static func string(_ value: JSON, _ path: [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, "a string", value, path) }
        return s
    }

    static func bool(_ value: JSON, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, "true or false", value, path) }
        return b
    }

    static func integer<T: BinaryInteger & FixedWidthInteger>(_ type: T.Type, _ value: JSON, _ path: [any CodingKey]) throws -> T {
        let result: T?
        switch value {
        case .int(let i): result = T(exactly: i)
        case .double(let d) where d == d.rounded(.towardZero): result = T(exactly: d)
        case .double(let d):
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "expected an integer, got \(PythonFloat.repr(d))"))
        default: throw mismatch(type, "an integer", value, path)
        }
        guard let result else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(value) does not fit in \(T.self)"))
        }
        return result
    }

    static func double(_ value: JSON, _ path: [any CodingKey]) throws -> Double {
        guard let d = value.doubleValue else { throw mismatch(Double.self, "a number", value, path) }
        return d
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSON, _ path: [any CodingKey]) throws -> T {
        try T(from: NodeDecoder(value: value, codingPath: path))
    }
}

struct KeyedNodeDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSON {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \"\(key.stringValue)\""))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try NodeDecoder.bool(value(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try NodeDecoder.string(value(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try NodeDecoder.double(value(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try NodeDecoder.double(value(key), path(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try NodeDecoder.integer(type, value(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try NodeDecoder.integer(type, value(key), path(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try NodeDecoder.decode(type, value(key), path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(value: value(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(value: value(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(value: object["super"] ?? .null, codingPath: codingPath + [JSONCodingKey.superKey])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(value: object[key.stringValue] ?? .null, codingPath: path(key))
    }
}

struct UnkeyedNodeDecoding: UnkeyedDecodingContainer {
    let items: [JSON]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(items: [JSON], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item and its path; the index moves on only when `read` succeeds.
    private mutating func next<T>(_ type: T.Type, _ read: (JSON, [any CodingKey]) throws -> T) throws -> T {
        let path = codingPath + [JSONCodingKey(intValue: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "the array has only \(items.count) items"))
        }
        let value = try read(items[currentIndex], path)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type, NodeDecoder.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type, NodeDecoder.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type, NodeDecoder.double) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try next(Double.self, NodeDecoder.double)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try NodeDecoder.integer(type, $0, $1) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try NodeDecoder.decode(type, $0, $1) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { try NodeDecoder(value: $0, codingPath: $1).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try NodeDecoder(value: $0, codingPath: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { NodeDecoder(value: $0, codingPath: $1) }
    }
}

struct SingleNodeDecoding: SingleValueDecodingContainer {
    let value: JSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try NodeDecoder.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try NodeDecoder.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try NodeDecoder.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try NodeDecoder.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try NodeDecoder.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try NodeDecoder.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try NodeDecoder.decode(type, value, codingPath) }
}
