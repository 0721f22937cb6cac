/// A token from tokenizer.json's `added_tokens`: matched in the raw text before pre-tokenization.
struct AddedToken {
    let id: Int
    let content: String
    let special: Bool
    let singleWord: Bool
    let leftStrip: Bool
    let rightStrip: Bool
    let normalized: Bool
}

/// Finds added tokens in text leftmost-first, longest at a position (Hugging Face's Aho-Corasick
/// LeftmostLongest), with the lstrip/rstrip/single_word rules.
struct AddedTokenMatcher {
    private struct Candidate {
        let scalars: [UInt32]
        let token: AddedToken
    }

    /// Candidates by first scalar, longest first.
    private var byFirstScalar: [UInt32: [Candidate]] = [:]
    /// Bit per BMP scalar that starts some candidate, to skip most text with one test.
    private var firstBits = [UInt64](repeating: 0, count: 1024)

    var isEmpty: Bool { byFirstScalar.isEmpty }

    /// - Parameter patternFor: the text to look for (the content, normalized for normalized tokens).
    init(_ tokens: [AddedToken], patternFor: (AddedToken) -> String) {
        for token in tokens {
            let scalars = patternFor(token).unicodeScalars.map(\.value)
            guard let first = scalars.first else { continue }
            byFirstScalar[first, default: []].append(Candidate(scalars: scalars, token: token))
            if first < 0x10000 { firstBits[Int(first >> 6)] |= 1 << UInt64(first & 63) }
        }
        for key in byFirstScalar.keys { byFirstScalar[key]!.sort { $0.scalars.count > $1.scalars.count } }
    }

    @inline(__always)
    private func mayStart(_ c: UInt32) -> Bool {
        c < 0x10000 ? firstBits[Int(c >> 6)] >> UInt64(c & 63) & 1 != 0 : byFirstScalar[c] != nil
    }

    /// Splits the text segments around the added tokens found in them.
    func split(_ buffer: [UInt32], _ segments: [Segment]) -> [Segment] {
        guard !isEmpty else { return segments }
        var out: [Segment] = []
        out.reserveCapacity(segments.count)
        for segment in segments {
            guard segment.isText else { out.append(segment); continue }
            split(buffer, segment, into: &out)
        }
        return out
    }

    private func split(_ text: [UInt32], _ segment: Segment, into out: inout [Segment]) {
        let lo = segment.start, hi = segment.end
        var emittedUpTo = lo
        var i = lo
        while i < hi {
            guard mayStart(text[i]), let candidates = byFirstScalar[text[i]],
                  let found = candidates.first(where: { matches($0.scalars, text, at: i, hi: hi) }) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + found.scalars.count
            i = stop  // matches never overlap, even a skipped one
            let token = found.token
            if token.singleWord {
                let wordBefore = start > lo && UnicodeClasses.isWordForAddedToken(text[start - 1])
                let wordAfter = stop < hi && UnicodeClasses.isWordForAddedToken(text[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.leftStrip {
                while start > emittedUpTo && UnicodeClasses.isWhitespace(text[start - 1]) { start -= 1 }
            }
            if token.rightStrip {
                while stop < hi && UnicodeClasses.isWhitespace(text[stop]) { stop += 1 }
                i = stop
            }
            if emittedUpTo < start { out.append(Segment(start: emittedUpTo, end: start)) }
            out.append(Segment(start: start, end: stop, addedTokenId: token.id))
            emittedUpTo = stop
        }
        if emittedUpTo < hi { out.append(Segment(start: emittedUpTo, end: hi)) }
    }

    private func matches(_ pattern: [UInt32], _ text: [UInt32], at i: Int, hi: Int) -> Bool {
        guard i + pattern.count <= hi else { return false }
        for k in 1..<pattern.count where text[i + k] != pattern[k] { return false }
        return true
    }
}

extension UnicodeClasses {
    /// Rust's `char::is_alphanumeric() || c == '_'`, which single_word tokens test next to a match.
    static func isWordForAddedToken(_ c: UInt32) -> Bool {
        if c == 0x5F { return true }
        guard let scalar = Unicode.Scalar(c) else { return false }
        if scalar.properties.isAlphabetic { return true }
        return GeneralCategoryBits.bit(of: c) & GeneralCategoryBits.numberMask != 0
    }
}
