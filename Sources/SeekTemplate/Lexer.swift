import Foundation

/// One lexical token of a template: literal text between tags, tag delimiters, and the pieces of the
/// expressions inside tags.
enum TokenKind: Equatable {
    case text(String)
    case variableBegin, variableEnd  // {{ }}
    case blockBegin, blockEnd        // {% %}
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case op(String)
    case end
}

struct Token {
    let kind: TokenKind
    let line: Int
}

/// Splits template source into tokens the way jinja2's lexer does with the settings transformers uses
/// (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`):
/// - `{%-`/`{{-`/`{#-` strip all whitespace before the tag, `-%}`/`-}}`/`-#}` all whitespace after it;
/// - trim_blocks drops the first newline after a block or comment tag (`+%}` keeps it);
/// - lstrip_blocks drops spaces and tabs between a line start and a block or comment tag (`{%+` keeps them);
/// - one trailing newline at the very end of the template is dropped.
struct Lexer {
    private let s: [Unicode.Scalar]
    private var pos = 0
    private var line = 1
    /// Whether the previous match ended with a newline (jinja2's `line_starting`), for lstrip_blocks.
    private var lineStarting = true
    private var tokens: [Token] = []

    static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: String) {
        var normalized = source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        s = Array(normalized.unicodeScalars)
    }

    private func at(_ i: Int) -> Unicode.Scalar? { i < s.count ? s[i] : nil }

    private func matches(_ literal: String, at i: Int) -> Bool {
        var j = i
        for scalar in literal.unicodeScalars {
            guard at(j) == scalar else { return false }
            j += 1
        }
        return true
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    private func fail(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(message: message, line: line ?? self.line)
    }

    private mutating func run() throws {
        while pos < s.count {
            guard let start = nextTagStart(from: pos) else {
                emitText(s[pos...])
                break
            }
            let kind = s[start + 1]
            var p = start + 2
            var sign: Unicode.Scalar?
            if let c = at(p), c == "-" || c == "+" { sign = c; p += 1 }

            var text = s[pos..<start]
            let textLine = line
            line += text.filter { $0 == "\n" }.count
            if sign == "-" {
                while let last = text.last, Lexer.isSpace(last) { text.removeLast() }
            } else if sign != "+" && kind != "{" {
                // lstrip_blocks: only whitespace between the line start and the tag goes.
                let lineStart = (text.lastIndex(of: "\n").map { $0 + 1 }) ?? text.startIndex
                let rest = text[lineStart...]
                if (lineStart > text.startIndex || lineStarting) && !rest.isEmpty && rest.allSatisfy(Lexer.isSpace) {
                    text = text[..<lineStart]
                }
            }
            if !text.isEmpty { tokens.append(Token(kind: .text(String(String.UnicodeScalarView(text))), line: textLine)) }

            if kind == "#" {
                try lexComment(tagStart: start, contentStart: p)
            } else if kind == "%", let afterRaw = rawBlockEnd(from: p) {
                try lexRaw(bodyStart: afterRaw)
            } else {
                pos = p
                try lexTag(isBlock: kind == "%")
            }
        }
        tokens.append(Token(kind: .end, line: line))
    }

    private func nextTagStart(from i: Int) -> Int? {
        var i = i
        while i + 1 < s.count {
            if s[i] == "{", s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#" { return i }
            i += 1
        }
        return nil
    }

    private mutating func emitText<C: Collection>(_ text: C) where C.Element == Unicode.Scalar {
        if !text.isEmpty { tokens.append(Token(kind: .text(String(String.UnicodeScalarView(text))), line: line)) }
        line += text.filter { $0 == "\n" }.count
    }

    /// After a closing delimiter: `-` eats all following whitespace, `+` nothing, and otherwise
    /// trim_blocks eats one newline (block and comment tags only).
    private mutating func finishTag(sign: Unicode.Scalar?, trimNewline: Bool) {
        let before = pos
        if sign == "-" {
            while let c = at(pos), Lexer.isSpace(c) { pos += 1 }
        } else if sign != "+" && trimNewline && at(pos) == "\n" {
            pos += 1
        }
        let eaten = s[before..<pos]
        line += eaten.filter { $0 == "\n" }.count
        lineStarting = eaten.last == "\n"
    }

    private mutating func lexComment(tagStart: Int, contentStart: Int) throws {
        var i = contentStart
        while i + 1 < s.count {
            if s[i] == "#" && s[i + 1] == "}" { break }
            i += 1
        }
        guard i + 1 < s.count else { throw fail("unclosed comment: missing '#}'") }
        var sign: Unicode.Scalar?
        if i > contentStart, s[i - 1] == "-" || s[i - 1] == "+" { sign = s[i - 1] }
        line += s[contentStart..<i].filter { $0 == "\n" }.count
        pos = i + 2
        finishTag(sign: sign, trimNewline: true)
    }

    /// If the block tag starting at `i` is `raw` (`{% raw %}`), the index just after it.
    private mutating func rawBlockEnd(from i: Int) -> Int? {
        var j = i
        while let c = at(j), Lexer.isSpace(c) { j += 1 }
        guard matches("raw", at: j), let after = at(j + 3), !(after.properties.isAlphabetic || after == "_" || ("0"..."9").contains(after)) else { return nil }
        j += 3
        while let c = at(j), Lexer.isSpace(c) { j += 1 }
        if matches("-%}", at: j) {
            j += 3
            while let c = at(j), Lexer.isSpace(c) { j += 1 }
            return j
        }
        return matches("%}", at: j) ? j + 2 : nil
    }

    private mutating func lexRaw(bodyStart: Int) throws {
        let startLine = line
        var i = bodyStart
        while i < s.count {
            if s[i] == "{", at(i + 1) == "%" {
                var j = i + 2
                var sign: Unicode.Scalar?
                if let c = at(j), c == "-" || c == "+" { sign = c; j += 1 }
                while let c = at(j), Lexer.isSpace(c) { j += 1 }
                if matches("endraw", at: j) {
                    j += 6
                    while let c = at(j), Lexer.isSpace(c) { j += 1 }
                    var endSign: Unicode.Scalar?
                    if let c = at(j), c == "-" || c == "+" { endSign = c; j += 1 }
                    if matches("%}", at: j) {
                        var body = s[bodyStart..<i]
                        line += body.filter { $0 == "\n" }.count
                        if sign == "-" { while let last = body.last, Lexer.isSpace(last) { body.removeLast() } }
                        if !body.isEmpty { tokens.append(Token(kind: .text(String(String.UnicodeScalarView(body))), line: startLine)) }
                        pos = j + 2
                        finishTag(sign: endSign, trimNewline: true)
                        return
                    }
                }
            }
            i += 1
        }
        throw fail("'raw' block is never closed: missing '{% endraw %}'", line: startLine)
    }

    /// The inside of `{{ … }}` or `{% … %}`: expression tokens up to the closing delimiter, which only
    /// counts outside brackets (so `{{ {'a': {'b': 1}} }}` works).
    private mutating func lexTag(isBlock: Bool) throws {
        let tagLine = line
        tokens.append(Token(kind: isBlock ? .blockBegin : .variableBegin, line: line))
        let close = isBlock ? "%}" : "}}"
        var brackets: [Unicode.Scalar] = []
        while true {
            while let c = at(pos), Lexer.isSpace(c) {
                if c == "\n" { line += 1 }
                pos += 1
            }
            guard let c = at(pos) else {
                throw fail("unclosed '\(isBlock ? "{%" : "{{")': missing '\(close)'", line: tagLine)
            }
            if brackets.isEmpty {
                var sign: Unicode.Scalar?
                var j = pos
                if c == "-" || (c == "+" && isBlock) { sign = c; j += 1 }
                if matches(close, at: j) {
                    tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, line: line))
                    pos = j + 2
                    finishTag(sign: sign, trimNewline: isBlock)
                    return
                }
            }
            if c == "_" || c.properties.isAlphabetic && c.isASCII {
                var j = pos
                while let d = at(j), d == "_" || d.isASCII && (d.properties.isAlphabetic || ("0"..."9").contains(d)) { j += 1 }
                tokens.append(Token(kind: .name(String(String.UnicodeScalarView(s[pos..<j]))), line: line))
                pos = j
            } else if ("0"..."9").contains(c) {
                try lexNumber()
            } else if c == "'" || c == "\"" {
                try lexString(quote: c)
            } else {
                let two = pos + 1 < s.count ? String(String.UnicodeScalarView([c, s[pos + 1]])) : ""
                let op: String
                if ["//", "**", "==", "!=", ">=", "<="].contains(two) {
                    op = two
                } else if "+-*/%~<>=.,:|()[]{}".unicodeScalars.contains(c) {
                    op = String(c)
                } else {
                    throw fail("unexpected character '\(c)'")
                }
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw fail("unexpected '\(op)'") }
                    if String(expected) != op { throw fail("unexpected '\(op)', expected '\(expected)'") }
                default: break
                }
                tokens.append(Token(kind: .op(op), line: line))
                pos += op.unicodeScalars.count
            }
        }
    }

    private mutating func lexNumber() throws {
        func digits(_ j: inout Int) {
            while let d = at(j), ("0"..."9").contains(d) || (d == "_" && at(j + 1).map { ("0"..."9").contains($0) } == true) { j += 1 }
        }
        var j = pos
        digits(&j)
        var isFloat = false
        // `x.0` after a dot is an attribute access, never a float (jinja2's `(?<!\.)`).
        let afterDot: Bool = { if case .op(".") = tokens.last?.kind { return true } else { return false } }()
        if !afterDot, at(j) == ".", let d = at(j + 1), ("0"..."9").contains(d) {
            isFloat = true
            j += 1
            digits(&j)
        }
        if !afterDot, let e = at(j), e == "e" || e == "E" {
            var k = j + 1
            if let sign = at(k), sign == "+" || sign == "-" { k += 1 }
            if let d = at(k), ("0"..."9").contains(d) {
                isFloat = true
                j = k
                digits(&j)
            }
        }
        let text = String(String.UnicodeScalarView(s[pos..<j])).replacingOccurrences(of: "_", with: "")
        if isFloat {
            guard let value = Double(text) else { throw fail("bad number '\(text)'") }
            tokens.append(Token(kind: .float(value), line: line))
        } else {
            guard let value = Int(text) else { throw fail("number too large '\(text)'") }
            tokens.append(Token(kind: .integer(value), line: line))
        }
        pos = j
    }

    /// A quoted string with Python escapes (`\n`, `\t`, `\'`, `\xhh`, `\uhhhh`, …); an unknown escape keeps
    /// its backslash, as Python does.
    private mutating func lexString(quote: Unicode.Scalar) throws {
        let startLine = line
        var out: [Unicode.Scalar] = []  // an array: appending to a UnicodeScalarView is not O(1)
        var j = pos + 1
        while true {
            guard let c = at(j) else { throw fail("unterminated string", line: startLine) }
            if c == quote { break }
            if c == "\n" { line += 1 }
            if c != "\\" {
                out.append(c)
                j += 1
                continue
            }
            guard let e = at(j + 1) else { throw fail("unterminated string", line: startLine) }
            j += 2
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\n": line += 1  // a backslash-newline continues the string
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                guard j + width <= s.count,
                      let v = UInt32(String(String.UnicodeScalarView(s[j..<j + width])), radix: 16),
                      let scalar = Unicode.Scalar(v) else {
                    throw fail("bad \\\(e) escape in string")
                }
                out.append(scalar)
                j += width
            case "0"..."7":
                var v = e.value - 48
                var k = 1
                while k < 3, let d = at(j), ("0"..."7").contains(d) { v = v * 8 + d.value - 48; j += 1; k += 1 }
                out.append(Unicode.Scalar(v)!)
            default:
                out.append("\\")
                out.append(e)
            }
        }
        tokens.append(Token(kind: .string(String(String.UnicodeScalarView(out))), line: startLine))
        pos = j + 1
    }
}
