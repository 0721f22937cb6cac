/// Literals and edits for building documents in code and tests:
/// `let body: JSON = ["model": "seek", "stream": true, "stop": ["\n"]]`.
extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON: CustomStringConvertible {
    /// The value as JSON text on one line (`true`, `"12"`, `[1,2]`, `2.5`, `1e-05`), for messages that
    /// quote what a file held.
    public var description: String {
        let writer = JSONWriter(ensureASCII: false, itemSeparator: ",", keySeparator: ":")
        return (try? writer.string(self)) ?? "…"
    }
}

extension JSONObject {
    /// Sets `key` to `value` where the key already is (every copy of a repeated key goes but the first),
    /// else at the end; nil removes the key.
    public subscript(key: String) -> JSON? {
        get { lookup(key) }
        set {
            let positions = keys.indices.filter { keys[$0] == key }
            guard let newValue else {
                remove(at: positions)
                return
            }
            guard let first = positions.first else {
                append(key, newValue)
                return
            }
            remove(at: Array(positions.dropFirst()))
            replaceValue(at: first, with: newValue)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }
}
