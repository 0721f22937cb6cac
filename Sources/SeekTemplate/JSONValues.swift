import SeekJSON

/// Template values to and from the one JSON implementation: render contexts come in as JSON, `tojson`
/// goes out through `JSONWriter` with the options the template passed.
extension Value {
    /// A JSON document as Python's json.loads gives it to jinja2 (ints stay ints, key order is kept).
    init(json: JSON, depth: Int = 0) throws {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items):
            guard depth < TemplateBudget.maxValueDepth else { throw Value.tooDeep }
            self = .array(try items.map { try Value(json: $0, depth: depth + 1) })
        case .object(let o):
            guard depth < TemplateBudget.maxValueDepth else { throw Value.tooDeep }
            var object = OrderedObject()
            for (k, v) in zip(o.keys, o.values) { object[k] = try Value(json: v, depth: depth + 1) }
            self = .object(object)
        }
    }

    static var tooDeep: ValueError {
        ValueError("a value nests more than \(TemplateBudget.maxValueDepth) levels of lists and dicts")
    }

    /// The JSON form of a value, or Python's TypeError for what json.dumps cannot write.
    func json(depth: Int = 0) throws -> JSON {
        switch self {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items):
            guard depth < TemplateBudget.maxValueDepth else { throw Value.tooDeep }
            return .array(try items.map { try $0.json(depth: depth + 1) })
        case .object(let o):
            guard depth < TemplateBudget.maxValueDepth else { throw Value.tooDeep }
            return .object(JSONObject(try o.pairs.map { ($0.0, try $0.1.json(depth: depth + 1)) }))
        case .namespace: throw ValueError("Object of type Namespace is not JSON serializable")
        case .undefined: throw ValueError("Object of type Undefined is not JSON serializable")
        case .function: throw ValueError("Object of type function is not JSON serializable")
        }
    }

    /// Levels of lists and dicts (namespaces are not entered: they are shared objects, possibly cyclic).
    /// Stops counting past `limit`; `visited` grows by the items seen, for the step budget.
    func nestingDepth(limit: Int, visited: inout Int) -> Int {
        var deepest = 0
        var stack: [(Value, Int)] = [(self, 0)]
        while let (value, level) = stack.popLast() {
            visited += 1
            deepest = max(deepest, level)
            if deepest > limit { return deepest }
            switch value {
            case .array(let items): for item in items { stack.append((item, level + 1)) }
            case .object(let o): for item in o.values { stack.append((item, level + 1)) }
            default: break
            }
        }
        return deepest
    }
}
