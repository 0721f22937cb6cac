/// The one JSON reader: RFC 8259 text plus Python's `NaN`/`Infinity`/`-Infinity`, read into ordered
/// `JSON` values.
///
/// It never recurses: containers live on an explicit stack whose height is capped at `maxDepth`, so no
/// input can overflow the call stack, and every error names the line and column. Memory stays
/// proportional to the input.
public struct JSONParser {
    /// Python's json module gives up near 1,000 levels (its recursion limit); real files nest < 20.
    public static let defaultMaxDepth = 512

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSON {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONSyntaxError) -> JSON in try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
        }.get()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSON {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) -> JSON in try parse(buffer, maxDepth: maxDepth) }
        }.get()
    }

    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSON {
        var parser = JSONParser(bytes: buffer.bindMemory(to: UInt8.self), maxDepth: maxDepth)
        return try parser.document()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var pos = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    // MARK: Errors

    private func failure(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let offset = min(offset ?? pos, bytes.count)
        var line = 1
        var column = 1
        for i in 0..<offset {
            let b = bytes[i]
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(message: message, line: line, column: column, offset: offset)
    }

    private func describeCurrent() -> String {
        guard pos < bytes.count else { return "the end of the text" }
        let b = bytes[pos]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    // MARK: Structure

    private enum Container {
        case array
        case object
    }

    private mutating func document() throws(JSONSyntaxError) -> JSON {
        // Open containers, innermost last; `arrays`/`objects`/`keys` hold the partial contents.
        var kinds: [Container] = []
        var arrays: [[JSON]] = []
        var objects: [JSONObject] = []
        var keys: [String] = []

        skipWhitespace()
        parsing: while true {
            // A value starts here.
            var value: JSON
            guard pos < bytes.count else {
                throw failure(kinds.isEmpty ? "the text is empty, expected a JSON value" : "unexpected end of the text, expected a value")
            }
            switch bytes[pos] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[pos] == UInt8(ascii: "{")
                guard kinds.count < maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
                pos += 1
                skipWhitespace()
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if pos < bytes.count && bytes[pos] == close {
                    pos += 1
                    value = isObject ? .object(JSONObject()) : .array([])
                } else if isObject {
                    kinds.append(.object)
                    objects.append(JSONObject())
                    keys.append(try memberKey())
                    continue parsing
                } else {
                    kinds.append(.array)
                    arrays.append([])
                    continue parsing
                }
            case UInt8(ascii: "\""): value = .string(try string())
            case UInt8(ascii: "t"): try word("true"); value = .bool(true)
            case UInt8(ascii: "f"): try word("false"); value = .bool(false)
            case UInt8(ascii: "n"): try word("null"); value = .null
            case UInt8(ascii: "N"): try word("NaN"); value = .double(.nan)
            case UInt8(ascii: "I"): try word("Infinity"); value = .double(.infinity)
            default: value = try number()
            }

            // A value ended: add it to its container, closing containers as their ends come.
            while true {
                guard let kind = kinds.last else {
                    skipWhitespace()
                    guard pos == bytes.count else { throw failure("unexpected \(describeCurrent()) after the JSON value") }
                    return value
                }
                switch kind {
                case .array: arrays[arrays.count - 1].append(value)
                case .object: objects[objects.count - 1].append(keys.removeLast(), value)
                }
                skipWhitespace()
                guard pos < bytes.count else {
                    throw failure(kind == .array ? "unexpected end of the text in an array, expected ',' or ']'"
                                                 : "unexpected end of the text in an object, expected ',' or '}'")
                }
                let b = bytes[pos]
                if b == UInt8(ascii: ",") {
                    pos += 1
                    skipWhitespace()
                    if kind == .object { keys.append(try memberKey()) }
                    continue parsing
                }
                if kind == .array && b == UInt8(ascii: "]") {
                    pos += 1
                    kinds.removeLast()
                    value = .array(arrays.removeLast())
                    continue
                }
                if kind == .object && b == UInt8(ascii: "}") {
                    pos += 1
                    kinds.removeLast()
                    value = .object(objects.removeLast())
                    continue
                }
                throw failure("expected ',' or '\(kind == .array ? "]" : "}")', got \(describeCurrent())")
            }
        }
    }

    /// `"key" :` with the whitespace around it; leaves `pos` at the value.
    private mutating func memberKey() throws(JSONSyntaxError) -> String {
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw failure("expected a string key, got \(describeCurrent())")
        }
        let key = try string()
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
            throw failure("expected ':' after the key, got \(describeCurrent())")
        }
        pos += 1
        skipWhitespace()
        return key
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 } else { return }
        }
    }

    private mutating func word(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = pos
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard pos + count <= bytes.count, (0..<count).allSatisfy({ bytes[pos + $0] == expected[$0] }) else {
            throw failure("unexpected \(describeCurrent()), expected a value", at: start)
        }
        pos += count
    }

    // MARK: Scalars

    /// RFC 8259 numbers: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, and `-Infinity`.
    private mutating func number() throws(JSONSyntaxError) -> JSON {
        let start = pos
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "-") {
            pos += 1
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "I") {
                try word("Infinity")
                return .double(-.infinity)
            }
        }
        guard digit(pos) else {
            throw failure(pos == start ? "unexpected \(describeCurrent()), expected a value" : "a number needs digits after '-'", at: start)
        }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if digit(pos) { throw failure("a number cannot start with 0", at: start) }
        } else {
            while digit(pos) { pos += 1 }
        }
        var isInteger = true
        if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digit(pos) else { throw failure("a number needs digits after '.'", at: start) }
            while digit(pos) { pos += 1 }
            isInteger = false
        }
        if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard digit(pos) else { throw failure("a number needs digits in its exponent", at: start) }
            while digit(pos) { pos += 1 }
            isInteger = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw failure("malformed number", at: start) }
        return .double(d)
    }

    /// A string literal; invalid UTF-8 and lone surrogate escapes become U+FFFD.
    private mutating func string() throws(JSONSyntaxError) -> String {
        let open = pos
        pos += 1
        let start = pos
        while pos < bytes.count {  // fast path: no escapes
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw failure("control character 0x\(String(b, radix: 16)) in a string (write it escaped)") }
            pos += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw failure("control character 0x\(String(b, radix: 16)) in a string (write it escaped)") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                pos += 1
                continue
            }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate forms one scalar with an escaped low surrogate right after it.
                    if pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        let save = pos
                        pos += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            pos = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                UTF8Bytes.append(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default:
                throw failure("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: pos - 2)
            }
        }
        throw failure("unterminated string", at: open)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape: expected 4 hex digits")
            }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }
}

/// UTF-8 encoding of single scalars into byte buffers.
public enum UTF8Bytes {
    @inline(__always)
    public static func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let v = scalar.value
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
