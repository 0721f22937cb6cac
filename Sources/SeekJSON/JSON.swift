/// A JSON document as Python's `json.loads` sees it: objects keep their members in file order, integers
/// stay exact (`int`) and are told apart from floats (`1` is not `1.0`).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without a fraction or exponent that fits in 64 bits.
    case int(Int)
    /// Any other number (a fraction, an exponent, or an integer too big for 64 bits); also Python's
    /// `NaN`, `Infinity` and `-Infinity`, which `json.loads` accepts.
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// Python's name for the kind of value, for error messages ("expected an integer, got str").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The value of an integer literal (`5`, not `5.0`: a checkpoint field written as a float is a mistake).
    public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
    /// Any number as a Double (integers convert).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The member `key` of an object (nil for a missing key or a value that is not an object).
    public subscript(key: String) -> JSON? { objectValue?[key] }
}

/// Object members in file order. Python keeps the last value of a repeated key at the position of the
/// first; lookups here return that last value, and `members` gives Python's view.
public struct JSONObject: Sendable, Equatable {
    /// Every member as written, repeated keys included.
    public private(set) var keys: [String] = []
    public private(set) var values: [JSON] = []

    public init() {}
    public init(_ pairs: [(String, JSON)]) {
        for (k, v) in pairs { append(k, v) }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Adds a member at the end (the parser's order).
    public mutating func append(_ key: String, _ value: JSON) {
        keys.append(key)
        values.append(value)
    }

    /// Removes the members at `positions` (ascending).
    mutating func remove(at positions: [Int]) {
        for i in positions.reversed() {
            keys.remove(at: i)
            values.remove(at: i)
        }
    }

    mutating func replaceValue(at position: Int, with value: JSON) { values[position] = value }

    /// The last value written for `key`. Linear: objects indexed by key are small (configs, headers);
    /// big ones (a vocabulary) are walked in order.
    func lookup(_ key: String) -> JSON? {
        var i = keys.count - 1
        while i >= 0 {
            if keys[i] == key { return values[i] }
            i -= 1
        }
        return nil
    }

    /// Members as Python's dict holds them: first position of each key, last value written for it.
    public var members: [(key: String, value: JSON)] {
        var index: [String: Int] = [:]
        var out: [(key: String, value: JSON)] = []
        for (k, v) in zip(keys, values) {
            if let i = index[k] { out[i].value = v } else {
                index[k] = out.count
                out.append((k, v))
            }
        }
        return out
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        let x = a.members, y = b.members
        guard x.count == y.count else { return false }
        var lookup: [String: JSON] = [:]
        for (k, v) in y { lookup[k] = v }
        return x.allSatisfy { lookup[$0.key] == $0.value }
    }
}
