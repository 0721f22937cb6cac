/// A value seen by a template: the JSON-like data of the conversation plus the few kinds Jinja adds
/// (undefined, namespaces, callables). Semantics follow Python, because Hugging Face renders templates
/// with Python's jinja2.
enum Value {
    /// A missing variable, key or attribute. `hint` is the error raised when it is used in a way
    /// Jinja's default `Undefined` forbids (arithmetic, attribute access, calls).
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(OrderedObject)
    case namespace(Namespace)
    case function(Function)

    static func undefinedName(_ name: String) -> Value { .undefined(hint: "'\(name)' is undefined") }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }
    var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        case .namespace, .function: return true
        }
    }

    /// Python's type name, as it appears in jinja2 error messages ("'dict object' has no attribute 'x'").
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        case .namespace: return "Namespace"
        case .function: return "function"
        }
    }

    /// The number as a Double when this is a number (bools count, as in Python).
    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The number as an Int when this is an integer or a bool.
    var asInt: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var isNumber: Bool {
        switch self {
        case .int, .double, .bool: return true
        default: return false
        }
    }
}

/// A string-keyed dictionary that keeps insertion order, as Python dicts (and JSON files) do.
struct OrderedObject {
    private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    init() {}
    init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    var values: [Value] { keys.map { storage[$0]! } }
    var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }

    subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

/// `namespace(...)`: the one mutable object templates have, so a loop body can change state outside it.
final class Namespace {
    var attributes: OrderedObject
    init(_ attributes: OrderedObject) { self.attributes = attributes }
}

/// Positional and keyword arguments of a call.
struct Arguments {
    var positional: [Value] = []
    var keywords: [(String, Value)] = []

    /// The argument at `index` or named `name`, whichever was given.
    func value(_ index: Int, _ name: String) -> Value? {
        if let kw = keywords.first(where: { $0.0 == name }) { return kw.1 }
        return index < positional.count ? positional[index] : nil
    }
}

/// A callable: a global (`range`, `namespace`, `raise_exception`), a bound method or a macro.
final class Function {
    let name: String
    let body: (Arguments, Interpreter, Int) throws -> Value  // arguments, interpreter, call line

    init(name: String, body: @escaping (Arguments, Interpreter, Int) throws -> Value) {
        self.name = name
        self.body = body
    }
}
