/// Turns generated ids into text as they arrive: emits text as soon as it is valid UTF-8, holding back
/// the bytes of a character split across tokens until it completes.
public struct StreamingDetokenizer {
    private let tokenizer: Tokenizer
    private let skipSpecialTokens: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = true) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one token; returns the text that became complete (possibly empty).
    public mutating func append(_ id: Int) -> String {
        tokenizer.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is left (an unfinished character becomes U+FFFD), and resets the decoder.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of `bytes` without a trailing incomplete-but-still-valid UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Find the last lead byte within the final 3 bytes and see whether its sequence is cut short.
        var i = n - 1
        var continuationCount = 0
        while i >= 0 && i >= n - 4 {
            let b = bytes[i]
            if b & 0xC0 == 0x80 {
                continuationCount += 1
                i -= 1
                continue
            }
            let needed: Int
            switch b {
            case 0xC2...0xDF: needed = 1
            case 0xE0...0xEF: needed = 2
            case 0xF0...0xF4: needed = 3
            default: return n  // ASCII or an invalid byte: nothing to wait for
            }
            if continuationCount >= needed { return n }
            // Wait only if the bytes so far can still become a valid character.
            if continuationCount >= 1 {
                let second = bytes[i + 1]
                let valid: Bool
                switch b {
                case 0xE0: valid = second >= 0xA0
                case 0xED: valid = second <= 0x9F
                case 0xF0: valid = second >= 0x90
                case 0xF4: valid = second <= 0x8F
                default: valid = true
                }
                if !valid { return n }
            }
            return i
        }
        return n
    }
}
