import Foundation

/// Python arithmetic on template values: `+` adds numbers and joins strings or lists, `/` always
/// gives a float, `//` and `%` floor like Python, `~` joins the `str()` of both sides.
enum Arithmetic {
    static func apply(_ op: String, _ l: Value, _ r: Value) throws -> Value {
        if op == "~" {
            let a = PythonText.str(l), b = PythonText.str(r)
            guard a.utf8.count + b.utf8.count <= TemplateBudget.maxTextBytes else {
                throw ValueError("'~' would build a string of more than \(TemplateBudget.maxTextBytes) bytes")
            }
            return .string(a + b)
        }
        if case .undefined(let hint) = l { throw ValueError(hint) }
        if case .undefined(let hint) = r { throw ValueError(hint) }
        switch (op, l, r) {
        case ("+", .string(let a), .string(let b)): return .string(a + b)
        case ("+", .array(let a), .array(let b)): return .array(a + b)
        case ("+", .string, _): throw ValueError("can only concatenate str (not \"\(r.typeName)\") to str")
        case ("+", .array, _): throw ValueError("can only concatenate list (not \"\(r.typeName)\") to list")
        case ("*", .string(let s), _) where r.asInt != nil:
            return .string(String(repeating: s, count: try repeatCount(r.asInt!, s.utf8.count, limit: TemplateBudget.maxTextBytes)))
        case ("*", _, .string(let s)) where l.asInt != nil:
            return .string(String(repeating: s, count: try repeatCount(l.asInt!, s.utf8.count, limit: TemplateBudget.maxTextBytes)))
        case ("*", .array(let a), _) where r.asInt != nil: return .array(repeated(a, try repeatCount(r.asInt!, a.count, limit: TemplateBudget.maxItems)))
        case ("*", _, .array(let a)) where l.asInt != nil: return .array(repeated(a, try repeatCount(l.asInt!, a.count, limit: TemplateBudget.maxItems)))
        default: break
        }
        guard l.isNumber, r.isNumber else {
            throw ValueError("unsupported operand type(s) for \(op): '\(l.typeName)' and '\(r.typeName)'")
        }
        if let a = l.asInt, let b = r.asInt {
            return try integer(op, a, b)
        }
        let a = l.asDouble!, b = r.asDouble!
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/":
            guard b != 0 else { throw ValueError("float division by zero") }
            return .double(a / b)
        case "//":
            guard b != 0 else { throw ValueError("float floor division by zero") }
            return .double((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw ValueError("float modulo") }
            let m = fmod(a, b)
            return .double(m != 0 && (m < 0) != (b < 0) ? m + b : m)
        case "**": return .double(pow(a, b))
        default: throw ValueError("unknown operator '\(op)'")
        }
    }

    /// Repetition is capped (a prompt is never this big) so a bad template cannot exhaust memory.
    private static func repeatCount(_ times: Int, _ unit: Int, limit: Int) throws -> Int {
        let count = max(0, times)
        guard unit == 0 || count <= limit / unit else { throw ValueError("repetition result too large") }
        return count
    }

    private static func repeated(_ items: [Value], _ times: Int) -> [Value] {
        times <= 0 ? [] : Array([[Value]](repeating: items, count: times).joined())
    }

    private static func integer(_ op: String, _ a: Int, _ b: Int) throws -> Value {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Value {
            guard !result.overflow else { throw ValueError("integer overflow in '\(op)'") }
            return .int(result.partialValue)
        }
        switch op {
        case "+": return try checked(a.addingReportingOverflow(b))
        case "-": return try checked(a.subtractingReportingOverflow(b))
        case "*": return try checked(a.multipliedReportingOverflow(by: b))
        case "/":
            guard b != 0 else { throw ValueError("division by zero") }
            return .double(Double(a) / Double(b))
        case "//", "%":
            guard b != 0 else { throw ValueError("integer division or modulo by zero") }
            var q = a / b
            var m = a % b
            if m != 0 && (m < 0) != (b < 0) { q -= 1; m += b }  // floor, not truncation
            return .int(op == "//" ? q : m)
        case "**":
            if b < 0 { return .double(pow(Double(a), Double(b))) }
            var result = 1
            for _ in 0..<b {
                let (p, overflow) = result.multipliedReportingOverflow(by: a)
                guard !overflow else { throw ValueError("integer overflow in '**'") }
                result = p
            }
            return .int(result)
        default: throw ValueError("unknown operator '\(op)'")
        }
    }

    static func negate(_ v: Value) throws -> Value {
        switch v {
        case .int(let i): return .int(-i)
        case .bool(let b): return .int(b ? -1 : 0)
        case .double(let d): return .double(-d)
        case .undefined(let hint): throw ValueError(hint)
        default: throw ValueError("bad operand type for unary -: '\(v.typeName)'")
        }
    }
}

/// Python comparisons: `==` across numbers (1 == 1.0 == True), deep on lists and dicts; ordering on
/// numbers, strings and lists; `in` for substrings, list items and dict keys.
enum Comparison {
    static func equal(_ l: Value, _ r: Value) -> Bool {
        switch (l, r) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.pairs.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.function(let a), .function(let b)): return a === b
        default:
            if let a = l.asInt, let b = r.asInt { return a == b }
            if let a = l.asDouble, let b = r.asDouble { return a == b }
            return false
        }
    }

    /// -1, 0 or 1 for orderable pairs; throws like Python for the rest.
    static func order(_ l: Value, _ r: Value, op: String) throws -> Int {
        switch (l, r) {
        case (.string(let a), .string(let b)):
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return 0 }
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) where !equal(x, y) { return try order(x, y, op: op) }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        case (.undefined(let hint), _), (_, .undefined(let hint)):
            throw ValueError(hint)
        default:
            if let a = l.asInt, let b = r.asInt { return a == b ? 0 : (a < b ? -1 : 1) }
            if let a = l.asDouble, let b = r.asDouble { return a == b ? 0 : (a < b ? -1 : 1) }
            throw ValueError("'\(op)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .undefined: return false
        case .string(let s):
            guard case .string(let sub) = item else {
                throw ValueError("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return ScalarText.find(sub, in: s) != nil
        case .array(let items): return items.contains { equal($0, item) }
        case .object(let o):
            guard case .string(let k) = item else { return false }
            return o[k] != nil
        case .namespace(let ns):
            guard case .string(let k) = item else { return false }
            return ns.attributes[k] != nil
        default:
            throw ValueError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    static func compare(_ op: String, _ l: Value, _ r: Value) throws -> Bool {
        switch op {
        case "==": return equal(l, r)
        case "!=": return !equal(l, r)
        case "<": return try order(l, r, op: op) < 0
        case ">": return try order(l, r, op: op) > 0
        case "<=": return try order(l, r, op: op) <= 0
        case ">=": return try order(l, r, op: op) >= 0
        case "in": return try contains(r, l)
        case "not in": return !(try contains(r, l))
        default: throw ValueError("unknown comparison '\(op)'")
        }
    }
}
