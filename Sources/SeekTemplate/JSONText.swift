/// `json.dumps` as transformers' `tojson` filter calls it: `ensure_ascii=False` by default, optional
/// `indent`, `separators` and `sort_keys`, Python's float and escape rules.
struct JSONText {
    var ensureASCII = false
    var indent: String? = nil
    var itemSeparator = ", "  // Python switches to "," when indenting without explicit separators
    var keySeparator = ": "
    var sortKeys = false

    func dumps(_ value: Value) throws -> String {
        var out = ""
        try write(value, depth: 0, into: &out)
        return out
    }

    private func write(_ value: Value, depth: Int, into out: inout String) throws {
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" }
            else { out += PythonText.float(d) }
        case .string(let s): out += quoted(s)
        case .array(let items):
            try writeContainer(items.map { (nil as String?, $0) }, open: "[", close: "]", depth: depth, into: &out)
        case .object(let o):
            var pairs = o.pairs
            if sortKeys { pairs.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } }
            try writeContainer(pairs.map { ($0.0 as String?, $0.1) }, open: "{", close: "}", depth: depth, into: &out)
        case .namespace:
            throw ValueError("Object of type Namespace is not JSON serializable")
        case .undefined: throw ValueError("Object of type Undefined is not JSON serializable")
        case .function: throw ValueError("Object of type function is not JSON serializable")
        }
    }

    private func writeContainer(_ entries: [(String?, Value)], open: String, close: String, depth: Int,
                                into out: inout String) throws {
        out += open
        if entries.isEmpty { out += close; return }
        for (i, (key, value)) in entries.enumerated() {
            if i > 0 { out += itemSeparator }
            if let indent { out += "\n" + String(repeating: indent, count: depth + 1) }
            if let key { out += quoted(key) + keySeparator }
            try write(value, depth: depth + 1, into: &out)
        }
        if let indent { out += "\n" + String(repeating: indent, count: depth) }
        out += close
    }

    func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7e) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += "\\u" + PythonText.hex(0xD800 + (v >> 10), width: 4)
                        out += "\\u" + PythonText.hex(0xDC00 + (v & 0x3FF), width: 4)
                    } else {
                        out += "\\u" + PythonText.hex(scalar.value, width: 4)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A problem found while evaluating; the interpreter adds the template line.
struct ValueError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
