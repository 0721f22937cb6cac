import XCTest
@testable import seek

/// Colour decisions and the thinking/answer split of streamed replies.
final class TerminalStyleTests: XCTestCase {
    func testColourChoice() {
        let pipe = Pipe()  // never a terminal
        let notATerminal = pipe.fileHandleForWriting.fileDescriptor
        XCTAssertTrue(TerminalStyle.resolve(.always, descriptor: notATerminal, environment: ["NO_COLOR": "1"]).enabled)
        XCTAssertFalse(TerminalStyle.resolve(.never, descriptor: notATerminal, environment: [:]).enabled)
        XCTAssertFalse(TerminalStyle.resolve(nil, descriptor: notATerminal, environment: ["TERM": "xterm"]).enabled)
        XCTAssertEqual(TerminalStyle.plain.dim("x"), "x")
        XCTAssertEqual(TerminalStyle(enabled: true).dim("x"), "\u{1B}[2mx\u{1B}[0m")
        XCTAssertEqual(TerminalStyle(enabled: true).prompt(">>> "), "\u{01}\u{1B}[1;32m\u{02}>>> \u{01}\u{1B}[0m\u{02}")
    }

    func testThinkingIsSplitFromTheAnswerEvenWithTagsSplitAcrossPieces() {
        var highlighter = ReasoningHighlighter()
        var runs: [(text: String, thinking: Bool)] = []
        for piece in ["Hi <th", "ink>let me", " see</thi", "nk>The answer", " is 4.<"] { runs += highlighter.feed(piece) }
        runs += highlighter.finish()
        var merged: [(String, Bool)] = []
        for run in runs {
            if let last = merged.last, last.1 == run.thinking { merged[merged.count - 1].0 += run.text } else { merged.append((run.text, run.thinking)) }
        }
        XCTAssertEqual(merged.map(\.0), ["Hi ", "<think>let me see</think>", "The answer is 4.<"])
        XCTAssertEqual(merged.map(\.1), [false, true, false])

        var r1 = ReasoningHighlighter(startsThinking: true)  // DeepSeek-R1's template opens the reply with <think>
        XCTAssertEqual(r1.feed("hmm</think>Yes").map(\.thinking), [true, false])
    }
}
