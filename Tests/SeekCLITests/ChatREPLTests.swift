import Foundation
import XCTest

/// The chat, driven through a pseudo-terminal like a person at a keyboard. Greedy decoding on
/// tiny-chat keeps the replies deterministic.
final class ChatREPLTests: XCTestCase {
    private let prompt = ">>> "

    private func startChat(home: String, subcommand: [String] = [], extraArguments: [String] = [],
                           environment: [String: String] = [:], stdoutFile: String? = nil) throws -> PseudoTerminal {
        let arguments = subcommand + ["-m", TestPaths.fixture("tiny-chat"), "--temp", "0"] + extraArguments
        let terminal = try PseudoTerminal(arguments: arguments, environment: TestPaths.isolatedEnvironment(home: home, extra: environment),
                                          stdoutFile: stdoutFile)
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
        // Exactly: the reply's generated ids are kept, so the whole first prompt and reply are reused (but
        // the last token of a reply cut by -n, which was never fed back).
        let replyTokens = min(reference.idsUntilEOS.count, 24)
        let fed = reference.idsUntilEOS.count < 24 ? replyTokens : replyTokens - 1
        XCTAssertEqual(reused, reference.promptIds.count + fed, stats)

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

    func testAFullContextDropsTheOldestTurnsAndTheChatGoesOn() throws {
        let terminal = try startChat(home: try TestPaths.temporaryFolder(for: self), extraArguments: ["--ctx-size", "24"])
        terminal.type("Hello\r")
        terminal.expect("[the context is full: the reply stopped here; the next message makes room")
        terminal.expect(prompt)
        terminal.type("And then?\r")
        terminal.expect("[the conversation outgrew the context of 24 tokens: the oldest turn was dropped")
        terminal.expect(prompt)
        terminal.type("/show\r")
        terminal.expect("messages  4 (the oldest 2 no longer in the context)")
        terminal.expect(prompt)
        terminal.type("/set max_tokens 2\r")
        terminal.expect(prompt)
        terminal.type("Hi\r")
        terminal.expect("Hi\r\n")
        terminal.expect(prompt)
        XCTAssertFalse(terminal.transcript.contains("error"), terminal.transcript)
        XCTAssertEqual(terminal.transcript.components(separatedBy: "outgrew").count, 2, "said once")
        // A message that cannot fit even alone is still refused.
        terminal.type(String(repeating: "word ", count: 40) + "\r")
        terminal.expect("error: the conversation is ")
        terminal.expect("more than the context of 24")
        terminal.expect(prompt)
        terminal.type("/bye\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testRedirectedStdoutGetsTheRepliesOnly() throws {
        let fixture = TestPaths.fixture("tiny-chat")
        let reference = try XCTUnwrap(TextCase.load(fixture: fixture).first { $0.system != nil })
        let home = try TestPaths.temporaryFolder(for: self)
        let file = home + "/replies.txt"
        let terminal = try startChat(home: home, extraArguments: ["-n", "24", "--system", reference.system!],
                                     environment: ["TERM": "xterm"], stdoutFile: file)
        terminal.type(reference.messages.last!["content"]! + "\r")
        terminal.expect(prompt)
        terminal.type("/stats\r")
        terminal.expect("decode      ")
        terminal.expect(prompt)
        terminal.type("\u{04}")
        XCTAssertEqual(terminal.waitForExit(), 0)
        // The prompt, the banner, /stats and readline's terminal codes went to the terminal.
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), reference.textUntilEOS + "\n")
        XCTAssertTrue(terminal.transcript.contains("/help for commands"))
    }

    func testColourOnATerminalUnlessNoColorOrNever() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let bold = "\u{1B}[1;32m", dim = "\u{1B}[2m"
        let coloured = try startChat(home: home, extraArguments: ["-n", "2"], environment: ["TERM": "xterm"])
        coloured.type("/bye\r")
        XCTAssertEqual(coloured.waitForExit(), 0)
        XCTAssertTrue(coloured.transcript.contains(bold + ">>> "), coloured.transcript)
        XCTAssertTrue(coloured.transcript.contains(dim + "seek "), coloured.transcript)

        for (arguments, environment) in [(["--color", "never"], ["TERM": "xterm"]), ([], ["TERM": "xterm", "NO_COLOR": "1"])] {
            let plain = try startChat(home: home, extraArguments: ["-n", "2"] + arguments, environment: environment)
            plain.type("/bye\r")
            XCTAssertEqual(plain.waitForExit(), 0)
            XCTAssertFalse(plain.transcript.contains(bold) || plain.transcript.contains(dim), "\(arguments) \(environment)")
        }
        let forced = try startChat(home: home, extraArguments: ["-n", "2", "--color", "always"], environment: ["NO_COLOR": "1"])
        forced.type("/bye\r")
        XCTAssertEqual(forced.waitForExit(), 0)
        XCTAssertTrue(forced.transcript.contains(bold + ">>> "), "--color always wins over NO_COLOR and TERM=dumb")
    }

    /// Loading and quantizing draw their progress on a terminal's stderr (and nothing in a pipe: the
    /// one-shot tests see clean stderr).
    func testProgressIsShownOnATerminal() throws {
        let home = try TestPaths.temporaryFolder(for: self)
        let fixture = TestPaths.fixture("tiny-chat")
        let first = try PseudoTerminal(arguments: ["-m", fixture, "--quant", "q8", "-n", "2", "-p", "Hi"],
                                       environment: TestPaths.isolatedEnvironment(home: home))
        XCTAssertEqual(first.waitForExit(), 0)
        XCTAssertTrue(first.transcript.contains("\r\u{1B}[Kquantizing tiny-chat: "), first.transcript)
        XCTAssertTrue(first.transcript.contains("of 26.5 MB, 100 %, "), first.transcript)
        let second = try PseudoTerminal(arguments: ["-m", fixture, "--quant", "q8", "-n", "2", "-p", "Hi"],
                                        environment: TestPaths.isolatedEnvironment(home: home))
        XCTAssertEqual(second.waitForExit(), 0)
        XCTAssertTrue(second.transcript.contains("loading tiny-chat: layer 2 of 2, 100 %, "), second.transcript)
        XCTAssertFalse(second.transcript.contains("quantizing"), "the second start maps the cached copy")

        let quantize = try PseudoTerminal(arguments: ["quantize", "-m", fixture, "--quant", "q4", home + "/q4"],
                                          environment: TestPaths.isolatedEnvironment(home: home))
        XCTAssertEqual(quantize.waitForExit(), 0)
        XCTAssertTrue(quantize.transcript.contains("quantizing tiny-chat to q4: "), quantize.transcript)
        XCTAssertTrue(quantize.transcript.contains("wrote model.safetensors"), quantize.transcript)
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
