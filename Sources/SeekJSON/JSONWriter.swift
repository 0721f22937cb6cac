/// The one JSON writer, byte for byte Python's `json.dumps` for the same options: `ensure_ascii`,
/// `indent`, `separators`, `sort_keys`, and Python's float spelling (`1e-05`, `2.0`, `NaN`).
///
/// `JSONWriter.python` is `json.dumps` with its defaults, `JSONWriter.template` what transformers'
/// `tojson` filter calls (`ensure_ascii=False`), `JSONWriter.compact` one-line machine output.
public struct JSONWriter: Sendable {
    public var ensureASCII: Bool
    /// The text of one indentation level; nil writes everything on one line.
    public var indent: String?
    public var itemSeparator: String
    public var keySeparator: String
    public var sortKeys: Bool
    /// Whether NaN and ±Infinity may be written (as Python does); strict JSON has no spelling for them.
    public var allowNonFinite: Bool
    /// Values nested deeper than this are refused instead of recursing further.
    public var maxDepth: Int
    /// Output longer than this is refused (a list holding one big string many times is small in memory
    /// but not as text).
    public var maxBytes = Int.max

    public init(ensureASCII: Bool = true, indent: String? = nil, itemSeparator: String? = nil,
                keySeparator: String = ": ", sortKeys: Bool = false, allowNonFinite: Bool = true,
                maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.ensureASCII = ensureASCII
        self.indent = indent
        // Python's default item separator is ", " on one line and "," when indenting.
        self.itemSeparator = itemSeparator ?? (indent == nil ? ", " : ",")
        self.keySeparator = keySeparator
        self.sortKeys = sortKeys
        self.allowNonFinite = allowNonFinite
        self.maxDepth = maxDepth
    }

    /// `json.dumps(value)`.
    public static let python = JSONWriter()
    /// `json.dumps(value, ensure_ascii=False)`: transformers' `tojson` without arguments.
    public static let template = JSONWriter(ensureASCII: false)
    /// `{"a":1,"b":[true,null]}`: no spaces, UTF-8 kept, non-finite numbers refused.
    public static let compact = JSONWriter(ensureASCII: false, itemSeparator: ",", keySeparator: ":",
                                           allowNonFinite: false)

    public func string(_ value: JSON) throws(JSONFieldError) -> String {
        var out = ""
        try write(value, depth: 0, path: "", into: &out)
        try checkSize(out, "")
        return out
    }

    private func write(_ value: JSON, depth: Int, path: String, into out: inout String) throws(JSONFieldError) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if !d.isFinite {
                guard allowNonFinite else { throw JSONFieldError(path: path, message: "\(d) cannot be written as JSON") }
                out += d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity"
            } else {
                out += PythonFloat.repr(d)
            }
        case .string(let s): appendQuoted(s, to: &out)
        case .array(let items):
            guard depth < maxDepth else { throw JSONFieldError(path: path, message: "nested deeper than \(maxDepth) levels") }
            out += "["
            if items.isEmpty { out += "]"; return }
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(depth + 1, &out)
                try write(item, depth: depth + 1, path: "\(path)[\(i)]", into: &out)
                try checkSize(out, path)
            }
            newline(depth, &out)
            out += "]"
        case .object(let object):
            guard depth < maxDepth else { throw JSONFieldError(path: path, message: "nested deeper than \(maxDepth) levels") }
            var members = object.members
            if sortKeys { members.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } }
            out += "{"
            if members.isEmpty { out += "}"; return }
            for (i, member) in members.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(depth + 1, &out)
                appendQuoted(member.key, to: &out)
                out += keySeparator
                try write(member.value, depth: depth + 1, path: path.isEmpty ? member.key : "\(path).\(member.key)", into: &out)
                try checkSize(out, path)
            }
            newline(depth, &out)
            out += "}"
        }
    }

    private func checkSize(_ out: String, _ path: String) throws(JSONFieldError) {
        if out.utf8.count > maxBytes { throw JSONFieldError(path: path, message: "the JSON text would be longer than \(maxBytes) bytes") }
    }

    private func newline(_ depth: Int, _ out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<depth { out += indent }
    }

    /// A JSON string literal with Python's escapes.
    public func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    private func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
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
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += "\\u" + PythonFloat.hex(0xD800 + (v >> 10), width: 4)
                        out += "\\u" + PythonFloat.hex(0xDC00 + (v & 0x3FF), width: 4)
                    } else {
                        out += "\\u" + PythonFloat.hex(scalar.value, width: 4)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Python's `repr(float)`, which `json.dumps` and `str()` both use.
public enum PythonFloat {
    /// Shortest digits that round-trip, fixed notation for exponents -4...15, scientific (`1e-05`,
    /// `1.5e+300`) otherwise, and always a `.0` on whole numbers.
    public static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, pointPosition) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let exponent = pointPosition - 1
        var mantissa = String(digits.first!)
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let expDigits = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (expDigits.count < 2 ? "0" + expDigits : expDigits)
    }

    /// The shortest round-trip decimal digits of a positive finite double (Swift's `description` already
    /// finds them) and where the decimal point goes: value = 0.DIGITS × 10^pointPosition.
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = d.description  // "123.45", "1e-05", "1.2345e+16"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = Substring(mantissa)
        var fracPart = Substring("")
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(intPart) + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, point)
    }

    /// Lower-case hex, zero-padded to `width` (Python's `'{:04x}'`).
    public static func hex(_ value: UInt32, width: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
