/// String operations on Unicode scalars, matching Python's code-point semantics (Swift's own String
/// methods compare grapheme clusters and canonical equivalents, which Python does not).
enum ScalarText {
    static func find(_ needle: String, in haystack: String, from start: Int = 0) -> Int? {
        let h = Array(haystack.unicodeScalars), n = Array(needle.unicodeScalars)
        return find(n, in: h, from: start)
    }

    static func find(_ n: [Unicode.Scalar], in h: [Unicode.Scalar], from start: Int) -> Int? {
        if n.isEmpty { return start <= h.count ? start : nil }
        guard h.count >= n.count, start <= h.count - n.count else { return nil }
        for i in start...(h.count - n.count) where h[i] == n[0] {
            if h[i..<(i + n.count)].elementsEqual(n) { return i }
        }
        return nil
    }

    static func string<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        String(String.UnicodeScalarView(scalars))
    }

    /// Python `str.split(sep, maxsplit)`; with no separator, splits on runs of whitespace and drops
    /// empty pieces.
    static func split(_ s: String, separator: String?, maxSplit: Int = -1) -> [String] {
        let h = Array(s.unicodeScalars)
        var parts: [String] = []
        guard let separator else {
            var i = 0
            while i < h.count {
                while i < h.count && isSpace(h[i]) { i += 1 }
                if i >= h.count { break }
                if maxSplit >= 0 && parts.count == maxSplit {
                    var end = h.count
                    while end > i && isSpace(h[end - 1]) { end -= 1 }
                    parts.append(string(h[i..<end]))
                    break
                }
                let start = i
                while i < h.count && !isSpace(h[i]) { i += 1 }
                parts.append(string(h[start..<i]))
            }
            return parts
        }
        let n = Array(separator.unicodeScalars)
        var start = 0
        while maxSplit < 0 || parts.count < maxSplit, let i = find(n, in: h, from: start) {
            parts.append(string(h[start..<i]))
            start = i + n.count
        }
        parts.append(string(h[start...]))
        return parts
    }

    /// Python `str.rsplit(sep, maxsplit)` with a separator.
    static func rsplit(_ s: String, separator: String, maxSplit: Int) -> [String] {
        if maxSplit < 0 { return split(s, separator: separator) }
        let h = Array(s.unicodeScalars), n = Array(separator.unicodeScalars)
        var end = h.count
        var parts: [String] = []
        var i = h.count - n.count
        while i >= 0 && parts.count < maxSplit {
            if i + n.count <= end && h[i..<(i + n.count)].elementsEqual(n) {
                parts.insert(string(h[(i + n.count)..<end]), at: 0)
                end = i
                i -= n.count
            } else {
                i -= 1
            }
        }
        parts.insert(string(h[0..<end]), at: 0)
        return parts
    }

    /// Refuses a join whose result would exceed the template text limit, before building it.
    static func checkJoinedSize(_ texts: [String], separator: String) throws {
        var total = 0
        for text in texts {
            total += text.utf8.count + separator.utf8.count
            if total > TemplateBudget.maxTextBytes {
                throw ValueError("join: the result would be larger than \(TemplateBudget.maxTextBytes) bytes")
            }
        }
    }

    /// Python `str.replace`; stops early once the result passes the template text limit (the caller
    /// then refuses the oversized string).
    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        let h = Array(s.unicodeScalars), o = Array(old.unicodeScalars), n = Array(new.unicodeScalars)
        let limit = TemplateBudget.maxTextBytes  // in scalars: at least that many bytes
        var out: [Unicode.Scalar] = []  // an array: appending to a UnicodeScalarView is not O(1)
        var start = 0
        var done = 0
        if o.isEmpty {  // Python inserts `new` between every character and at both ends
            for (i, c) in h.enumerated() {
                if count < 0 || i < count { out += n }
                out.append(c)
                if out.count > limit { break }
            }
            if count < 0 || h.count < count { out += n }
            return string(out)
        }
        while count < 0 || done < count, let i = find(o, in: h, from: start) {
            out += h[start..<i]
            out += n
            start = i + o.count
            done += 1
            if out.count > limit { break }
        }
        out += h[start...]
        return string(out)
    }

    /// Python `str.strip(chars)` on either or both ends; `nil` chars means whitespace.
    static func strip(_ s: String, _ chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let strip: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? isSpace($0) }
        let h = Array(s.unicodeScalars)
        var lo = 0, hi = h.count
        if leading { while lo < hi && strip(h[lo]) { lo += 1 } }
        if trailing { while hi > lo && strip(h[hi - 1]) { hi -= 1 } }
        return string(h[lo..<hi])
    }

    static func hasPrefix(_ s: String, _ p: String) -> Bool { s.unicodeScalars.starts(with: p.unicodeScalars) }
    static func hasSuffix(_ s: String, _ p: String) -> Bool {
        s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed())
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || (0x1C...0x1F).contains(c.value) }

    /// Python `str.capitalize()`: first character upper case, the rest lower case.
    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + string(s.unicodeScalars.dropFirst()).lowercased()
    }

    /// Python `str.title()`: upper case after any uncased character, lower case elsewhere.
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isCased
            out += previousCased ? String(c).lowercased() : String(c).uppercased()
            previousCased = cased
        }
        return out
    }

    /// jinja2's `title` filter: words start after whitespace, `-`, `(`, `{`, `[` or `<`.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            if isSpace(c) || "-({[<".unicodeScalars.contains(c) {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else {
                out += atWordStart ? String(c).uppercased() : String(c).lowercased()
                atWordStart = false
            }
        }
        return out
    }
}
