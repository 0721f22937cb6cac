import Foundation

/// Writes a streamed reply to stdout, a reasoning model's thinking styled apart when stdout is a
/// terminal with colour on. Remembers whether the text so far ends a line.
struct ReplyWriter {
    private let style: TerminalStyle
    private var highlighter: ReasoningHighlighter
    private(set) var endsWithNewline = true

    init(style: TerminalStyle, startsThinking: Bool = false) {
        self.style = style
        highlighter = ReasoningHighlighter(startsThinking: startsThinking)
    }

    mutating func write(_ piece: String) {
        guard !piece.isEmpty else { return }
        guard style.enabled else {
            Console.out(piece)
            endsWithNewline = piece.hasSuffix("\n")
            return
        }
        show(highlighter.feed(piece))
    }

    /// Writes what was held back (a partial tag at the very end).
    mutating func flush() { show(highlighter.finish()) }

    /// Writes what was held back and ends the line if the reply did not.
    mutating func finish() {
        flush()
        if !endsWithNewline { Console.out("\n") }
        endsWithNewline = true
    }

    private mutating func show(_ runs: [(text: String, thinking: Bool)]) {
        for run in runs where !run.text.isEmpty {
            Console.out(run.thinking ? style.reasoning(run.text) : run.text)
            endsWithNewline = run.text.hasSuffix("\n")
        }
    }
}
