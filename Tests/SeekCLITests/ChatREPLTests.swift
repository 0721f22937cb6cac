import Foundation
import XCTest

/// The chat, driven through a pseudo-terminal like a person at a keyboard. Greedy decoding on
/// tiny-chat keeps the replies deterministic.
final class ChatREPLTests: XCTestCase {
    private let prompt = ">>> "

    private func startChat(home: String, subcommand: [String] = [], extraArguments: [String] = []) throws -> PseudoTerminal {
        let arguments = subcommand + ["-m", TestPaths.fixture("tiny-chat"), "--temp", "0"] + extraArguments
        let terminal = try PseudoTerminal(arguments: arguments, environment: TestPaths.isolatedEnvironment(home: home))
        terminal.expect("/help for commands")
        terminal.expect(prompt)
        return terminal
    }

    func testAMessageGetsTheReferenceReplyStreamedAndCommandsWork() throws {
        let fixture = TestPaths.fixture("tiny-chat")
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.system != nil })
        let terminal = try startChat(home: try TestPaths.temporaryFolder(for: self),
                                     extraArguments: ["-n", "24", "--system", reference.system!])

        terminal.type(reference.messages.last!["content"]! + "\r")
        terminal.expect(reference.textUntilEOS)
        terminal.expect(prompt)

        terminal.type("/stats\r")
        terminal.expect("decode      \(reference.idsUntilEOS.count) tokens")
        terminal.expect(prompt)

        terminal.type("/set temperature 0.5\r")
        terminal.expect("Set temperature to 0.5.")
        terminal.type("/set temperature hot\r")
        terminal.expect("error: temperature needs a number")
        terminal.type("/set\r")
        terminal.expect("temperature 0.5")
        terminal.type("/frobnicate\r")
        terminal.expect("unknown command /frobnicate; type /help")
        terminal.type("/show\r")
        terminal.expect("deepseek_v2")
        terminal.expect(prompt)

        // After /clear the same message must give the same reply again (greedy, nothing left over).
        terminal.type("/set temperature 0\r")
        terminal.expect(prompt)
        terminal.type("/clear\r")
        terminal.expect("Cleared the conversation.")
        terminal.expect(prompt)
        terminal.type(reference.messages.last!["content"]! + "\r")
        terminal.expect(reference.textUntilEOS)
        terminal.expect(prompt)

        terminal.type("/bye\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testFollowUpTurnsReuseTheCacheAndMatchTheReference() throws {
        let fixture = TestPaths.fixture("tiny-chat")
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.messages.count == 3 })
        let home = try TestPaths.temporaryFolder(for: self)
        // The earlier turns come from a file, as /save writes them; the last user message is typed.
        let earlier = reference.messages.dropLast().map { "{\"role\": \"\($0["role"]!)\", \"content\": \"\($0["content"]!)\"}" }
        try "{\"messages\": [\(earlier.joined(separator: ", "))]}".write(toFile: home + "/c.json", atomically: true, encoding: .utf8)
        let terminal = try startChat(home: home, extraArguments: ["-n", "24"])

        terminal.type("/load \(home)/c.json\r")
        terminal.expect("Loaded 2 messages")
        terminal.type(reference.messages.last!["content"]! + "\r")
        terminal.expect(reference.textUntilEOS)
        terminal.expect(prompt)
        terminal.type("/stats\r")
        terminal.expect("prompt      \(reference.promptIds.count) tokens (0 reused")

        // The next turn only computes what is new: everything up to the reply is already cached.
        terminal.type("Thanks\r")
        terminal.expect(prompt)
        terminal.type("/stats\r")
        let stats = terminal.expect("computed)")
        // At least the whole first prompt; the reply too when re-tokenizing its text gives the same ids.
        let reused = stats.split(separator: "(").last?.split(separator: " ").first.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThanOrEqual(reused, reference.promptIds.count, "the second turn recomputed the cached tokens: \(stats)")

        terminal.expect(prompt)
        terminal.type("/save \(home)/saved.json\r")
        terminal.expect("Saved 6 messages")
        terminal.expect(prompt)
        let saved = try String(contentsOfFile: home + "/saved.json", encoding: .utf8)
        XCTAssertTrue(saved.contains(reference.textUntilEOS.trimmingCharacters(in: .whitespaces)))
        terminal.type("\u{04}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testCtrlCStopsAReplyAndTheNextTurnWorks() throws {
        let fixture = TestPaths.fixture("tiny-chat")
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.system != nil })
        // No token limit: the reply would run until the context (512 tokens) is full.
        let terminal = try startChat(home: try TestPaths.temporaryFolder(for: self),
                                     extraArguments: ["--ctx-size", "512", "--system", reference.system!])
        terminal.type("Tell me everything\r")
        terminal.expect("Tell me everything\r\n")
        terminal.expectMoreOutput()  // the reply has started streaming
        terminal.type("\u{03}")
        terminal.expect(prompt)
        terminal.type("/stats\r")
        terminal.expect("decode      ")
        let stats = terminal.expect(" tokens")
        let generated = Int(stats.dropLast(" tokens".count))
        XCTAssertLessThan(try XCTUnwrap(generated, stats), 400, "the reply ran on instead of stopping at Ctrl-C")
        XCTAssertFalse(terminal.transcript.contains("context is full"), "the reply ran to the end instead of stopping")
        terminal.expect(prompt)

        terminal.type("/clear\r")
        terminal.expect(prompt)
        terminal.type("/set max_tokens 24\r")
        terminal.expect(prompt)
        terminal.type(reference.messages.last!["content"]! + "\r")
        terminal.expect(reference.textUntilEOS)
        terminal.expect(prompt)

        // Ctrl-C with text typed clears the line; at an empty prompt it leaves.
        terminal.type("half a thought")
        terminal.expect("half a thought")
        terminal.type("\u{03}")
        terminal.expect(prompt)
        terminal.type("\u{03}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testAFullContextIsReportedAndTheNextTurnSuggestsClear() throws {
        let terminal = try startChat(home: try TestPaths.temporaryFolder(for: self), extraArguments: ["--ctx-size", "24"])
        terminal.type("Hello\r")
        terminal.expect("[the context is full: /clear to start over")
        terminal.expect(prompt)
        terminal.type("And then?\r")
        terminal.expect("error: the conversation is ")
        terminal.expect("more than the context of 24: /clear to start over")
        terminal.expect(prompt)
        terminal.type("/clear\r")
        terminal.expect(prompt)
        terminal.type("/set max_tokens 2\r")
        terminal.expect(prompt)
        terminal.type("Hi\r")
        terminal.expect("Hi\r\n")
        terminal.expect(prompt)
        XCTAssertFalse(terminal.transcript.suffix(200).contains("error"), terminal.transcript)
        terminal.type("/bye\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testMultilineInputAndHistoryPersistAcrossRuns() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let first = try startChat(home: home, extraArguments: ["-n", "2"])
        first.type("first line \\\r")
        first.expect("... ")
        first.type("second line\r")
        first.expect(prompt)
        first.type("\"\"\"\r")
        first.expect("... ")
        first.type("inside a block\r")
        first.type("done\"\"\"\r")
        first.expect(prompt)
        first.type("/system Be brief.\r")
        first.expect("Set the system message.")
        first.expect(prompt)
        first.type("\u{04}")
        XCTAssertEqual(first.waitForExit(), 0)

        let history = try String(contentsOfFile: home + "/state/seek/history", encoding: .utf8)
        XCTAssertEqual(history, "first line \\nsecond line\ninside a block\\ndone\n/system Be brief.\n")

        // A second session recalls the first one's entries (Ctrl-P is previous-history).
        let second = try startChat(home: home, subcommand: ["chat"], extraArguments: ["-n", "2"])
        second.type("\u{10}\u{10}\r")
        second.expect("inside a block")
        second.expect(prompt)
        second.type("/bye\r")
        XCTAssertEqual(second.waitForExit(), 0)
        let after = try String(contentsOfFile: home + "/state/seek/history", encoding: .utf8)
        XCTAssertTrue(after.hasSuffix("/system Be brief.\ninside a block\\ndone\n/bye\n"), after)
    }
}
