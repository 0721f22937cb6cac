/// Marks a reasoning model's thinking (between `<think>` and `</think>`) in streamed reply text, so it
/// can be shown apart from the answer. Tags may arrive split across pieces: a piece's tail that could
/// start a tag is held until the next piece.
struct ReasoningHighlighter {
    static let open = "<think>"
    static let close = "</think>"

    /// Whether the text being streamed is thinking (a template that opens the reply with `<think>`
    /// starts the reply inside it).
    private(set) var isThinking: Bool
    private var held = ""

    init(startsThinking: Bool = false) { isThinking = startsThinking }

    /// Splits `piece` into runs of (text, isThinking); the tags stay in the thinking runs.
    mutating func feed(_ piece: String) -> [(text: String, thinking: Bool)] {
        var text = held + piece
        held = ""
        var runs: [(text: String, thinking: Bool)] = []
        while !text.isEmpty {
            let tag = isThinking ? Self.close : Self.open
            if let range = text.range(of: tag) {
                let before = String(text[..<range.lowerBound])
                if isThinking {
                    runs.append((before + tag, true))
                } else {
                    if !before.isEmpty { runs.append((before, false)) }
                    runs.append((tag, true))
                }
                isThinking.toggle()
                text = String(text[range.upperBound...])
                continue
            }
            // Hold back a tail that could be the start of the tag.
            var keep = 0
            for length in stride(from: min(tag.count - 1, text.count), through: 1, by: -1) where text.hasSuffix(tag.prefix(length)) {
                keep = length
                break
            }
            let shown = String(text.dropLast(keep))
            if !shown.isEmpty { runs.append((shown, isThinking)) }
            held = String(text.suffix(keep))
            text = ""
        }
        return runs
    }

    /// What is still held back (at the end of a reply).
    mutating func finish() -> [(text: String, thinking: Bool)] {
        defer { held = "" }
        return held.isEmpty ? [] : [(held, isThinking)]
    }
}
