/// A value read from a JSON document together with where it was found, so that reading it as the
/// wrong kind gives an error naming the field:
///
///     let root = JSONField(try JSONParser.parse(text))
///     let layers = try root["num_hidden_layers"].int(in: 1...4096)   // "num_hidden_layers: expected …"
///     let eps = try root["rms_norm_eps"].optionalDouble() ?? 1e-6
///
/// `optional…` reads treat a missing member and `null` alike (nil); the others require a value.
public struct JSONField: Sendable {
    /// The value, nil when the member is missing.
    public let value: JSON?
    /// "model.vocab", "added_tokens[3].id"; empty for the document itself.
    public let path: String
    /// Set when the path could not be followed (a member of something that is not an object).
    private let problem: JSONFieldError?

    public init(_ value: JSON, path: String = "") {
        self.value = value
        self.path = path
        problem = nil
    }

    private init(value: JSON?, path: String, problem: JSONFieldError?) {
        self.value = value
        self.path = path
        self.problem = problem
    }

    /// Missing or null.
    public var isAbsent: Bool { value == nil || value == .null }

    /// The member `key`; missing when absent. Reading it fails when this value is not an object.
    public subscript(key: String) -> JSONField {
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        if let problem { return JSONField(value: nil, path: childPath, problem: problem) }
        switch value {
        case .object(let o)?: return JSONField(value: o[key], path: childPath, problem: nil)
        case nil, .null?: return JSONField(value: nil, path: childPath, problem: nil)
        case let other?:
            return JSONField(value: nil, path: childPath,
                             problem: JSONFieldError(path: path, message: "expected an object, got \(other.typeName)"))
        }
    }

    public func error(_ message: String) -> JSONFieldError { JSONFieldError(path: path, message: message) }

    private func present(_ expected: String) throws(JSONFieldError) -> JSON {
        if let problem { throw problem }
        guard let value, value != .null else { throw error(value == nil ? "missing (expected \(expected))" : "expected \(expected), got null") }
        return value
    }

    private func wrongType(_ expected: String, _ value: JSON) -> JSONFieldError {
        error("expected \(expected), got \(value.typeName)")
    }

    // MARK: Required values

    public func string() throws(JSONFieldError) -> String {
        let v = try present("a string")
        guard case .string(let s) = v else { throw wrongType("a string", v) }
        return s
    }

    public func bool() throws(JSONFieldError) -> Bool {
        let v = try present("true or false")
        guard case .bool(let b) = v else { throw wrongType("true or false", v) }
        return b
    }

    /// An integer literal, optionally within `range` (a float such as `256.7`, or `256.0`, is refused).
    public func int(in range: ClosedRange<Int>? = nil) throws(JSONFieldError) -> Int {
        let v = try present("an integer")
        let i: Int
        switch v {
        case .int(let n): i = n
        case .double(let d) where d.isFinite && abs(d) >= 0x1p63:
            throw error("\(PythonFloat.repr(d)) is out of range")
        case .double(let d) where d.isFinite && d == d.rounded():
            throw error("expected an integer, got \(PythonFloat.repr(d)) (write it without a fraction)")
        default: throw wrongType("an integer", v)
        }
        if let range, !range.contains(i) {
            throw error("\(i) is out of range (expected \(range.lowerBound)…\(range.upperBound))")
        }
        return i
    }

    /// Any finite number (integers convert).
    public func double() throws(JSONFieldError) -> Double {
        let v = try present("a number")
        guard let d = v.doubleValue else { throw wrongType("a number", v) }
        guard d.isFinite else { throw error("expected a finite number, got \(d)") }
        return d
    }

    /// The items, each with its own path (`field[3]`).
    public func array() throws(JSONFieldError) -> [JSONField] {
        let v = try present("an array")
        guard case .array(let items) = v else { throw wrongType("an array", v) }
        return items.enumerated().map { JSONField(value: $1, path: "\(path)[\($0)]", problem: nil) }
    }

    public func object() throws(JSONFieldError) -> JSONObject {
        let v = try present("an object")
        guard case .object(let o) = v else { throw wrongType("an object", v) }
        return o
    }

    /// The members in file order (repeated keys collapsed as Python does), each with its path.
    public func members() throws(JSONFieldError) -> [(key: String, field: JSONField)] {
        let o = try object()
        return o.members.map { ($0.key, JSONField(value: $0.value, path: path.isEmpty ? $0.key : "\(path).\($0.key)", problem: nil)) }
    }

    // MARK: Optional values (missing or null → nil)

    public func optionalString() throws(JSONFieldError) -> String? { isAbsent && problem == nil ? nil : try string() }
    public func optionalBool() throws(JSONFieldError) -> Bool? { isAbsent && problem == nil ? nil : try bool() }
    public func optionalInt(in range: ClosedRange<Int>? = nil) throws(JSONFieldError) -> Int? {
        isAbsent && problem == nil ? nil : try int(in: range)
    }
    public func optionalDouble() throws(JSONFieldError) -> Double? { isAbsent && problem == nil ? nil : try double() }
    public func optionalArray() throws(JSONFieldError) -> [JSONField]? { isAbsent && problem == nil ? nil : try array() }
    public func optionalObject() throws(JSONFieldError) -> JSONObject? { isAbsent && problem == nil ? nil : try object() }
}
