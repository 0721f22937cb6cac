/// A small JSON parser that keeps object key order (Foundation's JSONSerialization does not), so
/// `tojson` prints tool schemas in the order their file has, as Python would.
struct JSONReader {
    private let s: [UInt8]
    private var i = 0

    static func parse(_ text: String) throws -> Value {
        var reader = JSONReader(s: Array(text.utf8))
        reader.skipSpace()
        let value = try reader.value()
        reader.skipSpace()
        guard reader.i == reader.s.count else { throw reader.fail("unexpected text after the JSON value") }
        return value
    }

    private init(s: [UInt8]) { self.s = s }

    private func fail(_ message: String) -> TemplateError {
        TemplateError(message: "bad JSON at byte \(i): \(message)", line: nil)
    }

    private mutating func skipSpace() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard i < s.count, s[i] == byte else { throw fail("expected '\(literal)'") }
            i += 1
        }
    }

    private mutating func value() throws -> Value {
        guard i < s.count else { throw fail("unexpected end") }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            var object = OrderedObject()
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                try expect(":")
                skipSpace()
                object[key] = try value()
                skipSpace()
                guard i < s.count else { throw fail("unexpected end") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("}")
                return .object(object)
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                guard i < s.count else { throw fail("unexpected end") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("]")
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .none
        default: return try number()
        }
    }

    private mutating func number() throws -> Value {
        let start = i
        var isFloat = false
        while i < s.count, let c = Optional(s[i]),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
            i += 1
        }
        let text = String(decoding: s[start..<i], as: UTF8.self)
        if !isFloat, let n = Int(text) { return .int(n) }
        guard !text.isEmpty, let d = Double(text) else { throw fail("bad value") }
        return .double(d)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= s.count, let v = UInt32(String(decoding: s[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        i += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            guard i < s.count else { throw fail("unterminated string") }
            let c = s[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c != UInt8(ascii: "\\") { bytes.append(c); continue }
            guard i < s.count else { throw fail("unterminated string") }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800...0xDBFF).contains(v), i + 1 < s.count, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                }
                bytes.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
            default: bytes.append(e)  // \" \\ \/
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
