import SeekChat
import SeekEngine
import XCTest
@testable import seek

/// The command line's pure parts: input assembly, slash commands, history file.
final class ChatInputTests: XCTestCase {
    func testBackslashContinuesAndTripleQuotesMakeABlock() {
        var input = MultilineInput()
        XCTAssertNil(input.feed("first \\"))
        XCTAssertTrue(input.isContinuing)
        XCTAssertEqual(input.feed("second"), "first \nsecond")
        XCTAssertFalse(input.isContinuing)
        XCTAssertNil(input.feed("\"\"\"start"))
        XCTAssertNil(input.feed(""))
        XCTAssertNil(input.feed("middle \\"))
        XCTAssertEqual(input.feed("end\"\"\""), "start\n\nmiddle \\\nend")
        XCTAssertEqual(input.feed("\"\"\"one line\"\"\""), "one line")
        XCTAssertNil(input.feed("\"\"\""))
        input.reset()
        XCTAssertEqual(input.feed("plain"), "plain")
    }

    func testSlashCommands() {
        XCTAssertNil(SlashCommand.parse("hello /set"))
        XCTAssertEqual(SlashCommand.parse("/help"), .help)
        XCTAssertEqual(SlashCommand.parse("/bye"), .bye)
        XCTAssertEqual(SlashCommand.parse("  /exit "), .bye)
        XCTAssertEqual(SlashCommand.parse("/clear"), .clear)
        XCTAssertEqual(SlashCommand.parse("/system Be terse. Very."), .system("Be terse. Very."))
        XCTAssertEqual(SlashCommand.parse("/system"), .system(nil))
        XCTAssertEqual(SlashCommand.parse("/set temperature 0.5"), .set(name: "temperature", value: "0.5"))
        XCTAssertEqual(SlashCommand.parse("/set"), .showSettings)
        if case .usage = SlashCommand.parse("/set top_k") {} else { XCTFail("/set NAME without a value") }
        XCTAssertEqual(SlashCommand.parse("/save /tmp/c.json"), .save(path: "/tmp/c.json"))
        if case .usage = SlashCommand.parse("/load") {} else { XCTFail("/load without a file") }
        XCTAssertEqual(SlashCommand.parse("/stats"), .stats)
        XCTAssertEqual(SlashCommand.parse("/show"), .show)
        XCTAssertEqual(SlashCommand.parse("/frobnicate now"), .unknown("/frobnicate"))
    }

}

final class HistoryFileTests: XCTestCase {
    func testLocation() {
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]), "/s/seek/history")
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["HOME": "/h"]), "/h/.local/state/seek/history")
    }

    func testAppendsEscapesAndTrims() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        var history = HistoryFile(path: folder + "/state/seek/history")
        history.limit = 8
        try history.append("one")
        try history.append("two\nlines with \\ backslash")
        XCTAssertEqual(history.load(), ["one", "two\nlines with \\ backslash"])
        for i in 0..<20 { try history.append("entry \(i)") }
        let entries = history.load()
        XCTAssertLessThanOrEqual(entries.count, 10)
        XCTAssertEqual(entries.last, "entry 19")
        let attributes = try FileManager.default.attributesOfItem(atPath: history.path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/state/seek").filter { $0.contains(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testConcurrentWritersLoseNothing() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        let history = HistoryFile(path: folder + "/history")
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for i in 0..<50 { try? history.append("w\(writer) \(i)") }
        }
        XCTAssertEqual(Set(history.load()).count, 200)
    }
}


/// The libraries' errors name no flag; the command line adds its own flags and commands to them.
final class ErrorMessageTests: XCTestCase {
    func testFlagHintsAreTheCommandLines() {
        let cases: [(any Error, library: String, cli: String)] = [
            (ContextError.promptTooLong(tokens: 48, capacity: 16),
             "the prompt is 48 tokens, longer than the context of 16",
             "the prompt is 48 tokens, longer than the context of 16 (raise --ctx-size)"),
            (ChatError.conversationTooLong(tokens: 30, capacity: 24),
             "the conversation is 30 tokens, more than the context of 24",
             "the conversation is 30 tokens, more than the context of 24: /clear to start over, or restart with a larger --ctx-size"),
            (ChatError.systemMessageNeedsTemplate(model: "mini"),
             "a system message needs a chat template, and mini has none",
             "--system needs a chat template, and mini has none"),
            (ChatError.noChatTemplate, "this model has no chat template",
             "this model has no chat template (use --raw, or add chat_template to its registry entry)"),
            (ModelResolutionError.bundledModelNotFound(folderName: "seek-mini"),
             "no model given and the bundled model seek-mini was not found (set SEEK_DEFAULT_MODEL)",
             "no -m given and the bundled model seek-mini was not found (set SEEK_DEFAULT_MODEL or pass -m NAME|DIR)"),
            (ConfigError(file: "m/config.json", field: "quantization_config", problem: .quantizedCheckpoint(method: "fp8")),
             "m/config.json: quantization_config (fp8) is not supported: use the bf16 checkpoint",
             "m/config.json: quantization_config (fp8) is not supported: use the bf16 checkpoint (seek quantizes itself with --quant)"),
            (ModelFileError(file: "model.safetensors", problem: .quantizationLayout(found: "none", expected: "rows8", key: "seek_quant_layout")),
             "model.safetensors: quantized with a different layout (seek_quant_layout none, this seek reads rows8); quantize the original model again",
             "model.safetensors: quantized with a different layout (seek_quant_layout none, this seek reads rows8); quantize the original model again with seek quantize"),
        ]
        for (error, library, cli) in cases {
            XCTAssertEqual("\(error)", library)
            XCTAssertEqual(ErrorMessage.text(for: error), cli)
        }
        let other = ModelFolderError(folder: "/m", problem: .noWeights)
        XCTAssertEqual(ErrorMessage.text(for: other), "/m: no *.safetensors weights")
    }

    func testWarningsNameTheFlags() {
        XCTAssertEqual(ErrorMessage.text(for: ChatWarning.contextCapped(requested: 9000, positions: 4096, using: 4096)),
                       "--ctx-size 9000 is more than the model's 4096 positions; using 4096")
        XCTAssertEqual(ErrorMessage.text(for: ChatWarning.alreadyQuantized(folder: "/m", stored: .q8, requested: .q4)),
                       "/m is already quantized to q8; --quant q4 does not apply")
        XCTAssertFalse(ChatWarning.contextCapped(requested: 9000, positions: 4096, using: 4096).description.contains("--"))
    }
}
