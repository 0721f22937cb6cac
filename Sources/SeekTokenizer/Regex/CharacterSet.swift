/// A set of Unicode scalars as a regex character class describes it: ranges, general categories,
/// `\s`/`\w`-style classes, nested classes, negation and case-insensitivity (Oniguruma semantics).
struct ScalarSet {
    enum Item {
        case range(UInt32, UInt32)
        /// Bit mask over `GeneralCategoryBits`.
        case categories(UInt32)
        case whitespace
        case word
        case hexDigit
        case nested(ScalarSet)
    }

    var items: [Item] = []
    var negated = false
    var caseInsensitive = false

    static func single(_ c: UInt32) -> ScalarSet { ScalarSet(items: [.range(c, c)]) }

    func contains(_ c: UInt32) -> Bool {
        var hit = containsExactly(c)
        if !hit && caseInsensitive {
            for variant in CaseFolding.variants(of: c) where variant != c && containsExactly(variant) {
                hit = true
                break
            }
        }
        return hit != negated
    }

    /// Membership of every BMP scalar as 1024 words of bits, built item by item (much faster than
    /// testing 65536 scalars one at a time).
    func bmpBitmap() -> [UInt64] {
        var bits = [UInt64](repeating: 0, count: 1024)
        func set(_ c: UInt32) { bits[Int(c >> 6)] |= 1 << UInt64(c & 63) }
        for item in items {
            switch item {
            case .range(let lo, let hi):
                if lo < 0x10000 { for c in lo...min(hi, 0xFFFF) { set(c) } }
            case .categories(let mask):
                for c in 0..<UInt32(0x10000) where GeneralCategoryBits.bit(of: c) & mask != 0 { set(c) }
            case .whitespace:
                for c in UnicodeClasses.whitespaceScalars { set(c) }
            case .word:
                for c in 0..<UInt32(0x10000) where UnicodeClasses.isWord(c) { set(c) }
            case .hexDigit:
                for c in UInt32(0x30)...0x39 { set(c) }
                for c in UInt32(0x41)...0x46 { set(c); set(c + 0x20) }
            case .nested(let nested):
                let other = nested.bmpBitmap()
                for w in 0..<1024 { bits[w] |= other[w] }
            }
        }
        if caseInsensitive {
            let members = (0..<UInt32(0x10000)).filter { bits[Int($0 >> 6)] >> UInt64($0 & 63) & 1 != 0 }
            for c in members { for v in CaseFolding.variants(of: c) where v < 0x10000 { set(v) } }
        }
        if negated { for w in 0..<1024 { bits[w] = ~bits[w] } }
        return bits
    }

    private func containsExactly(_ c: UInt32) -> Bool {
        for item in items {
            switch item {
            case .range(let lo, let hi):
                if c >= lo && c <= hi { return true }
            case .categories(let mask):
                if mask & GeneralCategoryBits.bit(of: c) != 0 { return true }
            case .whitespace:
                if UnicodeClasses.isWhitespace(c) { return true }
            case .word:
                if UnicodeClasses.isWord(c) { return true }
            case .hexDigit:
                if (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) { return true }
            case .nested(let set):
                if set.contains(c) { return true }
            }
        }
        return false
    }
}

/// Unicode general categories as bits, so that `\p{L}` is one mask test.
enum GeneralCategoryBits {
    static let names: [(String, UInt32)] = {
        var table: [(String, UInt32)] = []
        let all: [(String, Unicode.GeneralCategory)] = [
            ("Lu", .uppercaseLetter), ("Ll", .lowercaseLetter), ("Lt", .titlecaseLetter),
            ("Lm", .modifierLetter), ("Lo", .otherLetter),
            ("Mn", .nonspacingMark), ("Mc", .spacingMark), ("Me", .enclosingMark),
            ("Nd", .decimalNumber), ("Nl", .letterNumber), ("No", .otherNumber),
            ("Pc", .connectorPunctuation), ("Pd", .dashPunctuation), ("Ps", .openPunctuation),
            ("Pe", .closePunctuation), ("Pi", .initialPunctuation), ("Pf", .finalPunctuation),
            ("Po", .otherPunctuation),
            ("Sm", .mathSymbol), ("Sc", .currencySymbol), ("Sk", .modifierSymbol), ("So", .otherSymbol),
            ("Zs", .spaceSeparator), ("Zl", .lineSeparator), ("Zp", .paragraphSeparator),
            ("Cc", .control), ("Cf", .format), ("Cs", .surrogate), ("Co", .privateUse), ("Cn", .unassigned),
        ]
        for (i, (name, _)) in all.enumerated() { table.append((name, UInt32(1) << UInt32(i))) }
        return table
    }()

    /// The mask for a property name such as `L`, `Lu`, `N`, `Letter`, `Punctuation`; nil if unknown.
    static func mask(named raw: String) -> UInt32? {
        let name = raw.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: " ", with: "")
            .lowercased()
        let long: [String: String] = [
            "letter": "l", "mark": "m", "number": "n", "punctuation": "p", "symbol": "s",
            "separator": "z", "other": "c", "combiningmark": "m",
            "uppercaseletter": "lu", "lowercaseletter": "ll", "titlecaseletter": "lt",
            "modifierletter": "lm", "otherletter": "lo", "nonspacingmark": "mn", "spacingmark": "mc",
            "enclosingmark": "me", "decimalnumber": "nd", "digit": "nd", "letternumber": "nl",
            "othernumber": "no", "connectorpunctuation": "pc", "dashpunctuation": "pd",
            "openpunctuation": "ps", "closepunctuation": "pe", "initialpunctuation": "pi",
            "finalpunctuation": "pf", "otherpunctuation": "po", "mathsymbol": "sm",
            "currencysymbol": "sc", "modifiersymbol": "sk", "othersymbol": "so",
            "spaceseparator": "zs", "lineseparator": "zl", "paragraphseparator": "zp",
            "control": "cc", "format": "cf", "surrogate": "cs", "privateuse": "co", "unassigned": "cn",
            "casedletter": "lc", "l&": "lc",
        ]
        let short = long[name] ?? name
        if short == "any" { return UInt32.max }
        if short == "lc" { return (mask(named: "Lu") ?? 0) | (mask(named: "Ll") ?? 0) | (mask(named: "Lt") ?? 0) }
        var result: UInt32 = 0
        for (n, bit) in names {
            let lower = n.lowercased()
            if short.count == 1 ? lower.hasPrefix(short) : lower == short { result |= bit }
        }
        return result == 0 ? nil : result
    }

    /// Category indices of the whole BMP, computed once (the stdlib lookup is slower than a table).
    /// Kept as a never-freed pointer so the hot path has no array bounds or uniqueness checks.
    nonisolated(unsafe) private static let bmpTable: UnsafeMutablePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for c in 0..<UInt32(0x10000) { table[Int(c)] = index(of: c) }
        return table
    }()

    @inline(__always)
    static func bit(of c: UInt32) -> UInt32 {
        if c < 0x10000 { return 1 << UInt32(bmpTable[Int(c)]) }
        return 1 << UInt32(index(of: c))
    }

    private static func index(of c: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(c) else { return 27 }  // lone surrogate code point
        let category = scalar.properties.generalCategory
        // The enum has no stable raw value; the switch below compiles to a jump table.
        switch category {
        case .uppercaseLetter: return 0
        case .lowercaseLetter: return 1
        case .titlecaseLetter: return 2
        case .modifierLetter: return 3
        case .otherLetter: return 4
        case .nonspacingMark: return 5
        case .spacingMark: return 6
        case .enclosingMark: return 7
        case .decimalNumber: return 8
        case .letterNumber: return 9
        case .otherNumber: return 10
        case .connectorPunctuation: return 11
        case .dashPunctuation: return 12
        case .openPunctuation: return 13
        case .closePunctuation: return 14
        case .initialPunctuation: return 15
        case .finalPunctuation: return 16
        case .otherPunctuation: return 17
        case .mathSymbol: return 18
        case .currencySymbol: return 19
        case .modifierSymbol: return 20
        case .otherSymbol: return 21
        case .spaceSeparator: return 22
        case .lineSeparator: return 23
        case .paragraphSeparator: return 24
        case .control: return 25
        case .format: return 26
        case .surrogate: return 27
        case .privateUse: return 28
        case .unassigned: return 29
        @unknown default: return 29
        }
    }

    static let numberMask: UInt32 = (1 << 8) | (1 << 9) | (1 << 10)
}

/// Oniguruma's Unicode meaning of `\s` and `\w`.
enum UnicodeClasses {
    /// White_Space: what `\s` matches in Oniguruma with UTF-8 (and what Rust's `char::is_whitespace` tests).
    static func isWhitespace(_ c: UInt32) -> Bool {
        if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
            || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000
    }

    /// Every White_Space scalar (the property is small and stable since Unicode 6).
    static let whitespaceScalars: [UInt32] = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680]
        + Array(0x2000...0x200A) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]

    /// Word characters: alphabetic, marks, decimal digits, connector punctuation, join controls.
    static func isWord(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        guard let scalar = Unicode.Scalar(c) else { return false }
        let p = scalar.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        let bit = GeneralCategoryBits.bit(of: c)
        return bit & ((1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 11)) != 0
    }
}

/// Simple case folding as `(?i)` needs it: a scalar's other-case forms, plus the few non-ASCII
/// scalars that fold onto ASCII letters (long s, Kelvin sign, Angstrom sign).
enum CaseFolding {
    static func variants(of c: UInt32) -> [UInt32] {
        guard let scalar = Unicode.Scalar(c) else { return [c] }
        var result: [UInt32] = [c]
        func add(_ mapping: String) {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let v = scalars.first?.value, !result.contains(v) { result.append(v) }
        }
        add(scalar.properties.lowercaseMapping)
        add(scalar.properties.uppercaseMapping)
        add(scalar.properties.titlecaseMapping)
        let extras: [(UInt32, UInt32)] = [(0x73, 0x17F), (0x53, 0x17F), (0x6B, 0x212A), (0x4B, 0x212A),
                                          (0xE5, 0x212B), (0xC5, 0x212B)]
        for (a, b) in extras {
            if c == a && !result.contains(b) { result.append(b) }
            if c == b && !result.contains(a) { result.append(a) }
        }
        return result
    }
}
