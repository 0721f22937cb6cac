import SeekEngine
import XCTest
@testable import seek

/// The command line's pure parts: registry, paths, input assembly, slash commands, history file.
final class RegistryTests: XCTestCase {
    func testPathExpansion() throws {
        let environment = ["HOME": "/home/u", "MODELS": "/data/models"]
        XCTAssertEqual(try PathExpansion.expand("~/m", environment: environment), "/home/u/m")
        XCTAssertEqual(try PathExpansion.expand("~", environment: environment), "/home/u")
        XCTAssertEqual(try PathExpansion.expand("$MODELS/lite", environment: environment), "/data/models/lite")
        XCTAssertEqual(try PathExpansion.expand("${MODELS}x/y", environment: environment), "/data/modelsx/y")
        XCTAssertEqual(try PathExpansion.expand("lite", relativeTo: "/etc/seek", environment: environment), "/etc/seek/lite")
        XCTAssertEqual(try PathExpansion.expand("a$/b", relativeTo: "/r", environment: environment), "/r/a$/b")
        XCTAssertThrowsError(try PathExpansion.expand("$NOPE/x", environment: environment))
    }

    func testRegistryEntriesWithTemplatesAndSampling() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        try "{{ messages[0]['content'] }}".write(toFile: folder + "/t.jinja", atomically: true, encoding: .utf8)
        let json = """
            {"_comment": "ignored",
             "models": {
               "lite": {"path": "~/models/lite", "description": "V2-Lite", "context_size": 8192, "quant": "q4",
                        "sampling": {"temperature": 0.3, "top_k": 20, "stop": ["User:"]}},
               "local": {"path": "rel/dir", "chat_template_file": "t.jinja", "system": "Be brief."},
               "default": {"path": "$MODELS/mini", "chat_template": "{{ 'x' }}"}
             }}
            """
        try json.write(toFile: folder + "/models.json", atomically: true, encoding: .utf8)
        let registry = try ModelRegistry.load(explicitFile: folder + "/models.json",
                                              environment: ["HOME": "/home/u", "MODELS": "/m"])
        XCTAssertEqual(registry.entries.map(\.name), ["default", "lite", "local"])
        let lite = try XCTUnwrap(registry.entry(named: "lite"))
        XCTAssertEqual(lite.path, "/home/u/models/lite")
        XCTAssertEqual(lite.contextSize, 8192)
        XCTAssertEqual(lite.quantization, .q4)
        XCTAssertNil(registry.entry(named: "local")?.quantization)
        let settings = lite.samplingDefaults(over: SamplingSettings())
        XCTAssertEqual(settings.parameters.temperature, 0.3)
        XCTAssertEqual(settings.parameters.topK, 20)
        XCTAssertEqual(settings.stop, ["User:"])
        XCTAssertEqual(registry.entry(named: "local")?.path, folder + "/rel/dir")
        XCTAssertEqual(registry.entry(named: "local")?.chatTemplate, "{{ messages[0]['content'] }}")
        XCTAssertEqual(registry.entry(named: "local")?.system, "Be brief.")
        XCTAssertEqual(registry.entry(named: "default")?.path, "/m/mini")
    }

    func testRegistryErrorsNameTheFileAndTheProblem() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        func load(_ json: String) -> String {
            try? json.write(toFile: folder + "/m.json", atomically: true, encoding: .utf8)
            do {
                _ = try ModelRegistry.load(explicitFile: folder + "/m.json", environment: ["HOME": "/h"])
                return "no error"
            } catch { return String(describing: error) }
        }
        XCTAssertTrue(load("{").contains("not valid JSON"))
        XCTAssertTrue(load("{\"models\": {\"a\": {}}}").contains("model \"a\": missing \"path\""))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"sampling\": {\"top_p\": 2}}}}").contains("top_p must be in (0, 1]"))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"sampling\": {\"warmth\": 2}}}}").contains("unknown setting"))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"quant\": \"q5\"}}}").contains("quant must be \"q8\" or \"q4\""))
        XCTAssertThrowsError(try ModelRegistry.load(explicitFile: folder + "/missing.json", environment: [:]))
        let none = try ModelRegistry.load(explicitFile: nil, environment: ["XDG_CONFIG_HOME": folder + "/nothing"])
        XCTAssertNil(none.file)
        XCTAssertTrue(none.entries.isEmpty)
    }

    func testRegistryLocation() {
        XCTAssertEqual(ModelRegistry.defaultLocation(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]), "/c/seek/models.json")
        XCTAssertEqual(ModelRegistry.defaultLocation(environment: ["HOME": "/h"]), "/h/.config/seek/models.json")
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]), "/s/seek/history")
        XCTAssertEqual(HistoryFile.defaultPath(environment: ["HOME": "/h"]), "/h/.local/state/seek/history")
    }

    func testExampleRegistryParses() throws {
        let example = TestPaths.packageRoot.appendingPathComponent("models.example.json").path
        let registry = try ModelRegistry.load(explicitFile: example, environment: ["HOME": "/h"])
        XCTAssertEqual(registry.entries.first?.name, "default")
        XCTAssertEqual(registry.entry(named: "default")?.path, TestPaths.packageRoot.appendingPathComponent("Models/seek-mini").path)
        // An unset variable makes that one entry unusable, not the whole registry.
        XCTAssertEqual(registry.entry(named: "v2")?.unavailable?.contains("$SEEK_MODEL_DIR, which is not set"), true)
        XCTAssertThrowsError(try ModelResolver.resolve("v2", registry: registry, environment: ["HOME": "/h"]))
    }
}

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

    func testSettingsByName() throws {
        var settings = SamplingSettings()
        try settings.set("temperature", to: "0")
        try settings.set("top_k", to: "5")
        try settings.set("seed", to: "99")
        try settings.set("max_tokens", to: "-1")
        XCTAssertEqual(settings.parameters.temperature, 0)
        XCTAssertEqual(settings.parameters.topK, 5)
        XCTAssertEqual(settings.parameters.seed, 99)
        XCTAssertThrowsError(try settings.set("top_p", to: "1.5"))
        XCTAssertThrowsError(try settings.set("temperature", to: "warm"))
        XCTAssertThrowsError(try settings.set("colour", to: "1"))
        XCTAssertEqual(settings.parameters.topP, SamplingParameters().topP)  // failed sets change nothing
    }

    func testConversationRoundTrip() throws {
        var conversation = Conversation(system: "Be brief.")
        conversation.messages = [.init(role: "user", content: "1+1=?"), .init(role: "assistant", content: "2")]
        let data = try conversation.jsonData(model: "tiny")
        XCTAssertEqual(try Conversation(jsonData: data, file: "c.json"), conversation)
        let bare = Data(#"[{"role": "user", "content": "hi"}]"#.utf8)
        XCTAssertEqual(try Conversation(jsonData: bare, file: "b.json").messages.count, 1)
        XCTAssertThrowsError(try Conversation(jsonData: Data(#"{"messages": [{"role": "robot", "content": "x"}]}"#.utf8), file: "r.json"))
        XCTAssertThrowsError(try Conversation(jsonData: Data("nope".utf8), file: "n.json"))
    }
}

final class HistoryFileTests: XCTestCase {
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

/// The model folder's generation_config.json sampling defaults.
final class GenerationDefaultsTests: XCTestCase {
    func testGenerationConfigSetsDefaults() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        try """
            {"do_sample": false, "temperature": 0.6, "top_k": 5, "top_p": 0.9, "repetition_penalty": 1.2,
             "max_new_tokens": 7, "bos_token_id": 0}
            """.write(toFile: folder + "/generation_config.json", atomically: true, encoding: .utf8)
        let settings = GenerationDefaults.applied(folder: folder, to: SamplingSettings())
        XCTAssertEqual(settings.parameters.temperature, 0)   // do_sample false: greedy
        XCTAssertEqual(settings.parameters.topK, 5)
        XCTAssertEqual(settings.parameters.topP, 0.9)
        XCTAssertEqual(settings.parameters.repeatPenalty, 1.2)
        XCTAssertEqual(settings.maxTokens, 7)
    }

    func testMissingOrInvalidValuesKeepTheBase() throws {
        let folder = try TestPaths.temporaryFolder(for: self)
        var base = SamplingSettings()
        base.parameters.topP = 0.5
        XCTAssertEqual(GenerationDefaults.applied(folder: folder, to: base).parameters.topP, 0.5)
        try "{\"top_p\": 7, \"temperature\": 0.3}".write(toFile: folder + "/generation_config.json", atomically: true, encoding: .utf8)
        let settings = GenerationDefaults.applied(folder: folder, to: base)
        XCTAssertEqual(settings.parameters.topP, 0.5)          // out of range: ignored with a warning
        XCTAssertEqual(settings.parameters.temperature, 0.3)
    }
}
