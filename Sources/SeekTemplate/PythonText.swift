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

    /// Python `repr(value)`.
    static func repr(_ value: Value) -> String {
        switch value {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return float(d)
        case .string(let s): return quoted(s)
        case .array(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .object(let o):
            return "{" + o.pairs.map { quoted($0.0) + ": " + repr($0.1) }.joined(separator: ", ") + "}"
        case .namespace(let ns): return "<Namespace " + repr(.object(ns.attributes)) + ">"
        case .function(let f): return "<function \(f.name)>"
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

    /// Python `repr(float)`: shortest digits that round-trip, fixed notation for exponents -4...15,
    /// scientific (`1e-05`, `1.5e+300`) otherwise, and always a `.0` on whole numbers.
    static func float(_ d: Double) -> String {
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
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (expDigits.count < 2 ? "0" + expDigits : expDigits)
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

    static func hex(_ value: UInt32, width: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
