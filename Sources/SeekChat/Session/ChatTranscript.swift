import SeekTokenizer

/// The token ids a chat's KV cache stands for, with the text they spell, kept from turn to turn.
///
/// A reply's ids are the ones the model generated; re-tokenizing its text would often give other ids
/// (and recomputing them a whole reply's worth of work). So the next prompt is these ids plus the
/// tokenization of only the text the template added since, whenever the earlier prompt's text is a
/// prefix of the new rendering and the reply appears right after it (templates may put a space before
/// it: "Assistant:" opens the reply, "Assistant: " + content renders it; the generated ids are kept).
///
/// The ids are kept as segments, each either tokenized from its text or generated: a message boundary
/// inside a tokenized segment is usable for a context shift only where tokenizing the two halves
/// apart gives the same ids.
///
/// `ChatSession` keeps one per conversation; `seek serve` keeps the recent ones (`ChatTranscriptMemory`), so a
/// client that resends the whole conversation gets the same ids.
public struct ChatTranscript: Sendable {
    private struct Segment {
        var text: String
        var ids: [Int]
        /// Whether `ids` is the tokenization of `text` (false: generated ids and their decoded text).
        var tokenized: Bool
    }

    private let tokenizer: Tokenizer
    private var segments: [Segment]
    /// All segments' ids, in order.
    public private(set) var ids: [Int]
    /// All segments' text, in order.
    public private(set) var text: String
    /// The last reply, placed when the next rendering shows where the template put it.
    private var reply: (ids: [Int], content: String)?
    /// False when the last reply's ids do not spell its content (a stop string cut it): the next
    /// prompt is tokenized whole.
    private var extendable = true

    /// Whether a later rendering can extend the transcript (see `extendable`).
    var canExtend: Bool { extendable }

    /// A transcript of rendered text, tokenized whole.
    public init(rendered: String, tokenizer: Tokenizer) throws(TokenizerError) {
        self.tokenizer = tokenizer
        let ids = try tokenizer.encode(rendered, addSpecialTokens: false)
        segments = [Segment(text: rendered, ids: ids, tokenized: true)]
        self.ids = ids
        text = rendered
    }

    /// Extends the transcript to a new rendering of the conversation: when the transcript's text (and
    /// then the last reply) starts it, only the rest is tokenized and appended. False (nothing changed)
    /// otherwise.
    mutating func extend(to rendered: String) throws(TokenizerError) -> Bool {
        guard extendable, rendered.utf8.starts(with: text.utf8) else { return false }
        var rest = Substring(rendered).utf8.dropFirst(text.utf8.count)
        var replySegment: Segment?
        if let reply, !reply.ids.isEmpty {
            // The template's own space or newline before the content, then the content as shown.
            var glue = 0
            while !rest.dropFirst(glue).starts(with: reply.content.utf8) {
                guard let byte = rest.dropFirst(glue).first, byte == 0x20 || byte == 0x0A else { return false }
                glue += 1
            }
            let length = glue + reply.content.utf8.count
            replySegment = Segment(text: String(decoding: rest.prefix(length), as: UTF8.self), ids: reply.ids, tokenized: false)
            rest = rest.dropFirst(length)
        }
        if let replySegment {  // its ids are counted already (appendReply)
            segments.append(replySegment)
            text += replySegment.text
        }
        reply = nil
        let tail = String(decoding: rest, as: UTF8.self)
        if !tail.isEmpty { append(Segment(text: tail, ids: try tokenizer.encode(tail, addSpecialTokens: false), tokenized: true)) }
        return true
    }

    /// Records a reply: its generated ids and the content the conversation keeps for it (the text
    /// without leading spaces). Its ids count at once; its place in the text is found by `extend`.
    mutating func appendReply(_ generated: [Int], content: String) {
        let spelled = tokenizer.decode(generated, skipSpecialTokens: false)
        guard String(spelled.drop { $0 == " " }) == content else {
            extendable = false
            return
        }
        reply = (generated, content)
        ids += generated
    }

    /// The content a conversation keeps for a reply's text. Templates put their own space after the
    /// assistant's tag ("Assistant: " + content): a reply's leading space belongs to that, not to the content.
    static func content(ofReply text: String) -> String {
        String(text.drop { $0 == " " })
    }

    private mutating func append(_ segment: Segment) {
        segments.append(segment)
        ids += segment.ids
        text += segment.text
    }

    /// Removes the text bytes `bytes` and their ids, when both ends fall on token boundaries (see
    /// `tokenIndex(atByte:)`); returns the ids' range, or nil (nothing changed).
    mutating func remove(bytes: Range<Int>) -> Range<Int>? {
        guard let lower = split(atByte: bytes.lowerBound), let upper = split(atByte: bytes.upperBound) else { return nil }
        let tokens = tokenOffset(ofSegment: lower)..<tokenOffset(ofSegment: upper)
        segments.removeSubrange(lower..<upper)
        ids.removeSubrange(tokens)
        var utf8 = Array(text.utf8)
        utf8.removeSubrange(bytes)
        text = String(decoding: utf8, as: UTF8.self)
        return tokens
    }

    /// The id index at text byte `byte`, when a token boundary lies there.
    func tokenIndex(atByte byte: Int) -> Int? {
        var copy = self
        return copy.split(atByte: byte).map { copy.tokenOffset(ofSegment: $0) }
    }

    private func tokenOffset(ofSegment index: Int) -> Int {
        segments[..<index].reduce(0) { $0 + $1.ids.count }
    }

    /// Makes a segment start at text byte `byte` and returns its index (segments.count at the end), or
    /// nil when no token boundary lies there: inside generated ids, inside a character, or where
    /// tokenizing the two halves apart would give other ids.
    private mutating func split(atByte byte: Int) -> Int? {
        var start = 0
        for (index, segment) in segments.enumerated() {
            if byte == start { return index }
            let length = segment.text.utf8.count
            if byte < start + length {
                guard segment.tokenized else { return nil }
                let utf8 = segment.text.utf8
                let cut = utf8.index(utf8.startIndex, offsetBy: byte - start)
                guard cut.samePosition(in: segment.text.unicodeScalars) != nil else { return nil }
                let scalars = segment.text.unicodeScalars
                let head = String(scalars[..<cut]), tail = String(scalars[cut...])
                guard let headIds = try? tokenizer.encode(head, addSpecialTokens: false), segment.ids.starts(with: headIds),
                      (try? tokenizer.encode(tail, addSpecialTokens: false)) == Array(segment.ids.dropFirst(headIds.count))
                else { return nil }
                segments[index] = Segment(text: head, ids: headIds, tokenized: true)
                segments.insert(Segment(text: tail, ids: Array(segment.ids.dropFirst(headIds.count)), tokenized: true), at: index + 1)
                return index + 1
            }
            start += length
        }
        return byte == start ? segments.count : nil
    }
}
