import SeekJSON

/// Text forms of values exactly as Python prints them: `str()` for `{{ }}` output and `~`, `repr()` inside
/// lists and dicts, and the shortest round-trip float form (`1e-05`, `1e+16`, `2.0`).
enum PythonText {
    /// Python `str(value)`; undefined prints as nothing (jinja2's default `Undefined`).
    static func str(_ value: Value) -> String {
        switch value {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr(value)
        }
    }

    /// Python `repr(value)`. Stops early once the text passes the template text limit (callers refuse
    /// oversized strings) and prints `...` for lists and dicts nested too deeply or inside themselves.
    static func repr(_ value: Value) -> String {
        var out = ""
        appendRepr(value, depth: 0, to: &out)
        return out
    }

    private static func appendRepr(_ value: Value, depth: Int, to out: inout String) {
        guard out.utf8.count <= TemplateBudget.maxTextBytes else { return }
        switch value {
        case .array(let items):
            guard depth < TemplateBudget.maxValueDepth else { out += "[...]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                appendRepr(item, depth: depth + 1, to: &out)
                if out.utf8.count > TemplateBudget.maxTextBytes { return }
            }
            out += "]"
        case .object(let o):
            guard depth < TemplateBudget.maxValueDepth else { out += "{...}"; return }
            out += "{"
            for (i, (key, item)) in o.pairs.enumerated() {
                if i > 0 { out += ", " }
                out += quoted(key) + ": "
                appendRepr(item, depth: depth + 1, to: &out)
                if out.utf8.count > TemplateBudget.maxTextBytes { return }
            }
            out += "}"
        case .namespace(let ns):
            guard depth < TemplateBudget.maxValueDepth else { out += "<Namespace ...>"; return }
            out += "<Namespace "
            appendRepr(.object(ns.attributes), depth: depth + 1, to: &out)
            out += ">"
        default:
            out += scalarRepr(value)
        }
    }

    private static func scalarRepr(_ value: Value) -> String {
        switch value {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return float(d)
        case .string(let s): return quoted(s)
        case .function(let f): return "<function \(f.name)>"
        case .array, .object, .namespace: return repr(value)
        }
    }

    /// Python's string repr: single quotes unless the text has a single quote and no double quote.
    static func quoted(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    static func float(_ d: Double) -> String { PythonFloat.repr(d) }

    static func hex(_ value: UInt32, width: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
