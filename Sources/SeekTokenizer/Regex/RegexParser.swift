/// The syntax tree of a pre-tokenizer regex.
indirect enum RegexNode {
    case empty
    case scalar(UInt32)
    case set(ScalarSet)
    /// `.`: any scalar but `\n` (any at all with `(?m)`, which is dot-all in Ruby syntax).
    case any(dotAll: Bool)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case loop(RegexNode, min: Int, max: Int?, kind: LoopKind)
    case lookahead(RegexNode, negative: Bool)
    case atomic(RegexNode)
    case assertion(RegexAssertion)
}

enum LoopKind { case greedy, lazy, possessive }

enum RegexAssertion {
    case lineStart, lineEnd, textStart, textEnd, textEndOrFinalNewline, wordBoundary, notWordBoundary
}

struct RegexSyntaxError: Error { let message: String }

/// Parses the Oniguruma (Ruby syntax) subset that byte-level BPE pre-tokenizers use: literals, classes with
/// ranges, `\p{..}` categories and nesting, `\s\S\d\D\w\W\h`, alternation, groups `(?:)`, `(?i:)`, `(?i)`,
/// lookahead, atomic groups, greedy/lazy/possessive quantifiers, and anchors.
struct RegexParser {
    private let scalars: [UInt32]
    private var pos = 0
    private var caseInsensitive = false
    private var dotAll = false
    /// Groups and classes open around `pos`.
    private var depth = 0

    /// Bounds that keep parsing and compiling small and the recursion shallow whatever the pattern:
    /// real pre-tokenizer patterns are a few hundred characters, nested a few levels.
    static let maxScalars = 16_384
    static let maxDepth = 64
    /// Quantifiers in a row on one atom (`a{2}{2}{2}`), each a level of the syntax tree.
    static let maxStackedQuantifiers = 4

    static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        let scalars = pattern.unicodeScalars.map(\.value)
        guard scalars.count <= maxScalars else {
            throw RegexSyntaxError(message: "the pattern is \(scalars.count) characters long, more than \(maxScalars)")
        }
        var parser = RegexParser(scalars: scalars)
        let node = try parser.parseAlternation()
        if parser.pos < parser.scalars.count {
            throw parser.error("unmatched ')'")
        }
        return node
    }

    private init(scalars: [UInt32]) { self.scalars = scalars }

    private func error(_ what: String) -> RegexSyntaxError {
        RegexSyntaxError(message: "\(what) at position \(pos)")
    }

    /// One more level of group or class nesting, within `maxDepth`.
    private mutating func enter() throws(RegexSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("groups or classes nested more than \(Self.maxDepth) deep") }
    }

    private var atEnd: Bool { pos >= scalars.count }
    private func peek(_ offset: Int = 0) -> UInt32? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }
    private func isChar(_ c: Character, at offset: Int = 0) -> Bool {
        peek(offset) == c.unicodeScalars.first!.value
    }

    private mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseSequence()]
        while isChar("|") {
            pos += 1
            branches.append(try parseSequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseSequence() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        // Flags set by a bare `(?i)` last until the end of the enclosing group.
        let savedCase = caseInsensitive, savedDot = dotAll
        defer { caseInsensitive = savedCase; dotAll = savedDot }
        while !atEnd && !isChar("|") && !isChar(")") {
            guard var atom = try parseAtom() else { continue }
            atom = try parseQuantifiers(on: atom)
            items.append(atom)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func parseQuantifiers(on atom: RegexNode) throws(RegexSyntaxError) -> RegexNode {
        var node = atom
        var stacked = 0
        while let c = peek() {
            var range: (Int, Int?)
            switch c {
            case 0x2A: range = (0, nil); pos += 1  // *
            case 0x2B: range = (1, nil); pos += 1  // +
            case 0x3F: range = (0, 1); pos += 1  // ?
            case 0x7B:  // {
                guard let interval = parseInterval() else { return node }
                range = interval
            default:
                return node
            }
            if case .assertion = node { throw error("quantifier after an anchor") }
            stacked += 1
            if stacked > Self.maxStackedQuantifiers { throw error("more than \(Self.maxStackedQuantifiers) quantifiers in a row") }
            var kind = LoopKind.greedy
            if isChar("?") { kind = .lazy; pos += 1 } else if isChar("+") && c != 0x7B { kind = .possessive; pos += 1 }
            if let max = range.1, max < range.0 { throw error("invalid interval {\(range.0),\(max)}") }
            node = .loop(node, min: range.0, max: range.1, kind: kind)
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}`; anything else leaves `{` as a literal (as Oniguruma does).
    private mutating func parseInterval() -> (Int, Int?)? {
        var i = pos + 1
        func number() -> Int? {
            var value: Int?
            while i < scalars.count, scalars[i] >= 0x30, scalars[i] <= 0x39 {
                value = (value ?? 0) * 10 + Int(scalars[i] - 0x30)
                if value! > 100_000 { return nil }
                i += 1
            }
            return value
        }
        let low = number()
        var high: Int?
        var hasComma = false
        if i < scalars.count, scalars[i] == 0x2C { hasComma = true; i += 1; high = number() }
        guard i < scalars.count, scalars[i] == 0x7D else { return nil }
        if low == nil && high == nil { return nil }
        pos = i + 1
        if !hasComma { return (low!, low!) }
        return (low ?? 0, high)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode? {
        let c = scalars[pos]
        switch c {
        case 0x28: return try parseGroup()  // (
        case 0x5B:  // [
            pos += 1
            return .set(try parseClass())
        case 0x2E: pos += 1; return .any(dotAll: dotAll)  // .
        case 0x5E: pos += 1; return .assertion(.lineStart)  // ^
        case 0x24: pos += 1; return .assertion(.lineEnd)  // $
        case 0x5C: return try parseEscape()  // backslash
        case 0x2A, 0x2B, 0x3F: throw error("nothing to repeat")
        default:
            pos += 1
            return literal(c)
        }
    }

    private func literal(_ c: UInt32) -> RegexNode {
        if caseInsensitive {
            let variants = CaseFolding.variants(of: c)
            if variants.count > 1 { return .set(ScalarSet(items: variants.map { .range($0, $0) })) }
        }
        return .scalar(c)
    }

    private mutating func parseGroup() throws(RegexSyntaxError) -> RegexNode? {
        try enter()
        defer { depth -= 1 }
        pos += 1
        if !isChar("?") {
            return try parseGroupBody()
        }
        pos += 1
        guard let c = peek() else { throw error("unterminated group") }
        switch c {
        case 0x3A: pos += 1; return try parseGroupBody()  // (?:
        case 0x3D: pos += 1; return .lookahead(try parseGroupBody(), negative: false)  // (?=
        case 0x21: pos += 1; return .lookahead(try parseGroupBody(), negative: true)  // (?!
        case 0x3E: pos += 1; return .atomic(try parseGroupBody())  // (?>
        case 0x23:  // (?# comment )
            while let d = peek(), d != 0x29 { pos += 1 }
            if atEnd { throw error("unterminated comment") }
            pos += 1
            return nil
        case 0x3C:  // (?<name> or lookbehind
            if isChar("=", at: 1) || isChar("!", at: 1) { throw error("lookbehind is not supported") }
            while let d = peek(), d != 0x3E { pos += 1 }
            if atEnd { throw error("unterminated group name") }
            pos += 1
            return try parseGroupBody()
        default:
            // Flags: (?imx-imx) or (?imx-imx:...)
            var on = true
            var newCase = caseInsensitive, newDot = dotAll
            while let d = peek() {
                switch d {
                case 0x69: newCase = on  // i
                case 0x6D: newDot = on  // m (dot-all in Ruby syntax)
                case 0x2D: on = false  // -
                case 0x3A:  // scoped flags
                    pos += 1
                    let savedCase = caseInsensitive, savedDot = dotAll
                    caseInsensitive = newCase; dotAll = newDot
                    let body = try parseGroupBody()
                    caseInsensitive = savedCase; dotAll = savedDot
                    return body
                case 0x29:  // flags for the rest of the enclosing group
                    pos += 1
                    caseInsensitive = newCase; dotAll = newDot
                    return nil
                default:
                    throw error("unsupported group syntax")
                }
                pos += 1
            }
            throw error("unterminated group")
        }
    }

    private mutating func parseGroupBody() throws(RegexSyntaxError) -> RegexNode {
        let body = try parseAlternation()
        guard isChar(")") else { throw error("missing ')'") }
        pos += 1
        return body
    }

    private mutating func parseEscape() throws(RegexSyntaxError) -> RegexNode {
        pos += 1
        guard let c = peek() else { throw error("trailing backslash") }
        switch c {
        case 0x41: pos += 1; return .assertion(.textStart)  // \A
        case 0x7A: pos += 1; return .assertion(.textEnd)  // \z
        case 0x5A: pos += 1; return .assertion(.textEndOrFinalNewline)  // \Z
        case 0x62: pos += 1; return .assertion(.wordBoundary)  // \b
        case 0x42: pos += 1; return .assertion(.notWordBoundary)  // \B
        case 0x31...0x39: throw error("backreferences are not supported")
        default:
            if let set = try parseClassEscape(inClass: false) { return .set(set) }
            return literal(try parseCharEscape())
        }
    }

    /// `\s \S \d \D \w \W \h \H \p{..} \P{..}`; nil if the escape is not a class.
    private mutating func parseClassEscape(inClass: Bool) throws(RegexSyntaxError) -> ScalarSet? {
        guard let c = peek() else { return nil }
        var set: ScalarSet
        switch c {
        case 0x73, 0x53: set = ScalarSet(items: [.whitespace])
        case 0x64, 0x44: set = ScalarSet(items: [.categories(1 << 8)])
        case 0x77, 0x57: set = ScalarSet(items: [.word])
        case 0x68, 0x48: set = ScalarSet(items: [.hexDigit])
        case 0x70, 0x50:  // \p{..} \P{..}
            pos += 1
            guard isChar("{") else { throw error("expected '{' after \\p") }
            pos += 1
            var negated = c == 0x50
            if isChar("^") { negated.toggle(); pos += 1 }
            var name = ""
            while let d = peek(), d != 0x7D { name.unicodeScalars.append(Unicode.Scalar(d) ?? "?"); pos += 1 }
            if atEnd { throw error("unterminated \\p{") }
            pos += 1
            guard let mask = GeneralCategoryBits.mask(named: name) else {
                throw error("unsupported Unicode property \\p{\(name)}")
            }
            set = ScalarSet(items: [.categories(mask)])
            set.negated = negated
            return set
        default:
            return nil
        }
        pos += 1
        set.negated = c < 0x61  // the upper-case forms are the complements
        return set
    }

    /// A single-scalar escape such as `\n`, `\x41`, `\x{1F600}`, `\u00B5` or an escaped literal.
    private mutating func parseCharEscape() throws(RegexSyntaxError) -> UInt32 {
        let c = scalars[pos]
        pos += 1
        switch c {
        case 0x6E: return 0x0A  // n
        case 0x72: return 0x0D  // r
        case 0x74: return 0x09  // t
        case 0x66: return 0x0C  // f
        case 0x76: return 0x0B  // v
        case 0x61: return 0x07  // a
        case 0x65: return 0x1B  // e
        case 0x30: return 0x00  // 0
        case 0x78:  // x
            if isChar("{") {
                pos += 1
                let value = try hexDigits(max: 8)
                guard isChar("}") else { throw error("unterminated \\x{") }
                pos += 1
                return value
            }
            return try hexDigits(max: 2)
        case 0x75: return try hexDigits(max: 4, exactly: true)  // u
        default:
            if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) {
                throw error("unsupported escape \\\(Character(Unicode.Scalar(c)!))")
            }
            return c
        }
    }

    private mutating func hexDigits(max: Int, exactly: Bool = false) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < max, let d = peek() {
            let digit: UInt32
            switch d {
            case 0x30...0x39: digit = d - 0x30
            case 0x41...0x46: digit = d - 0x41 + 10
            case 0x61...0x66: digit = d - 0x61 + 10
            default: digit = 16
            }
            if digit == 16 { break }
            value = value << 4 | digit
            count += 1
            pos += 1
        }
        if count == 0 || (exactly && count != max) || value > 0x10FFFF { throw error("invalid hex escape") }
        return value
    }

    /// Parses a bracket class after its `[`, through the closing `]`.
    private mutating func parseClass() throws(RegexSyntaxError) -> ScalarSet {
        try enter()
        defer { depth -= 1 }
        var set = ScalarSet()
        set.caseInsensitive = caseInsensitive
        if isChar("^") { set.negated = true; pos += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw error("unterminated character class") }
            if c == 0x5D && !first { pos += 1; break }  // ]
            first = false
            if c == 0x5B {  // nested class or POSIX bracket
                if isChar(":", at: 1) { throw error("POSIX bracket classes are not supported") }
                pos += 1
                set.items.append(.nested(try parseClass()))
                continue
            }
            if c == 0x26 && isChar("&", at: 1) { throw error("class intersection (&&) is not supported") }
            // A single scalar, possibly the start of a range.
            let low: UInt32
            if c == 0x5C {
                pos += 1
                guard !atEnd else { throw error("trailing backslash") }
                if let nested = try parseClassEscape(inClass: true) {
                    set.items.append(.nested(nested))
                    continue
                }
                if isChar("b") { pos += 1; low = 0x08 } else { low = try parseCharEscape() }
            } else {
                pos += 1
                low = c
            }
            if isChar("-"), let next = peek(1), next != 0x5D {
                pos += 1
                var high: UInt32
                if next == 0x5C {
                    pos += 1
                    guard !atEnd else { throw error("trailing backslash") }
                    if isChar("b") { pos += 1; high = 0x08 } else { high = try parseCharEscape() }
                } else if next == 0x5B {
                    throw error("invalid range in character class")
                } else {
                    pos += 1
                    high = next
                }
                if high < low { throw error("empty range in character class") }
                set.items.append(.range(low, high))
            } else {
                set.items.append(.range(low, low))
            }
        }
        return set
    }
}
