import Foundation
import SeekChat
import SeekEngine
import XCTest

/// Sampling settings by name and conversation files.
final class SettingsAndConversationTests: XCTestCase {
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
        XCTAssertThrowsError(try Conversation(jsonData: Data(#"{"messages": [{"role": "robot", "content": "x"}]}"#.utf8), file: "r.json")) {
            XCTAssertEqual($0 as? ConversationFileError, ConversationFileError(file: "r.json", problem: .unknownRole("robot")))
        }
        XCTAssertThrowsError(try Conversation(jsonData: Data("nope".utf8), file: "n.json")) {
            XCTAssertEqual($0 as? ConversationFileError, ConversationFileError(file: "n.json", problem: .notAConversation))
        }
    }

    func testConversationFilesRoundTrip() throws {
        let folder = try TestFolders.temporary(for: self)
        let conversation = Conversation(system: "Be brief.", messages: [.init(role: "user", content: "Say \"hi\"\nand ünïcödé"),
                                                                      .init(role: "assistant", content: "hi / 你好")])
        try conversation.save(to: folder + "/c.json", model: "tiny")
        XCTAssertEqual(try Conversation.load(from: folder + "/c.json"), conversation)
        // The file is what /save documents: the model's name and every message, system first.
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/c.json"))) as? [String: Any]
        XCTAssertEqual(saved?["model"] as? String, "tiny")
        XCTAssertEqual((saved?["messages"] as? [[String: String]])?.map { $0["role"] }, ["system", "user", "assistant"])
        XCTAssertThrowsError(try Conversation.load(from: folder + "/absent.json")) {
            XCTAssertEqual($0 as? ConversationFileError, ConversationFileError(file: folder + "/absent.json", problem: .unreadable))
        }
        XCTAssertThrowsError(try conversation.save(to: folder + "/no/such/dir/c.json", model: "tiny")) {
            guard case .cannotWrite = ($0 as? ConversationFileError)?.problem else { return XCTFail("\($0)") }
        }
    }

    func testSettingErrorsNameTheSettingAndTheRule() {
        var settings = SamplingSettings()
        XCTAssertThrowsError(try settings.set("top_p", to: "1.5")) {
            XCTAssertEqual($0 as? SettingError, SettingError(setting: "top_p", problem: .outOfRange(value: "1.5", rule: "must be in (0, 1]")))
            XCTAssertEqual("\($0)", "top_p must be in (0, 1], got 1.5")
        }
        XCTAssertThrowsError(try settings.set("temperature", to: "hot")) {
            XCTAssertEqual("\($0)", "temperature needs a number, got \"hot\"")
        }
        XCTAssertThrowsError(try settings.set("temperature", to: "inf")) {
            XCTAssertTrue("\($0)".hasPrefix("temperature must be a finite number, 0 or more, got "), "\($0)")
        }
        XCTAssertThrowsError(try settings.set("temperature", to: "-1")) {
            XCTAssertEqual("\($0)", "temperature must be 0 or more, got -1.0")
        }
        XCTAssertThrowsError(try SamplingSettings.check(maxTokens: -2)) {
            XCTAssertEqual(($0 as? SettingError)?.setting, "max_tokens")
        }
    }
}

/// The model folder's generation_config.json sampling defaults.
final class GenerationDefaultsTests: XCTestCase {
    func testGenerationConfigSetsDefaults() throws {
        let folder = try TestFolders.temporary(for: self)
        try """
            {"do_sample": false, "temperature": 0.6, "top_k": 5, "top_p": 0.9, "repetition_penalty": 1.2,
             "max_new_tokens": 7, "bos_token_id": 0}
            """.write(toFile: folder + "/generation_config.json", atomically: true, encoding: .utf8)
        let settings = GenerationDefaults.applied(folder: folder, to: SamplingSettings()).settings
        XCTAssertEqual(settings.parameters.temperature, 0)   // do_sample false: greedy
        XCTAssertEqual(settings.parameters.topK, 5)
        XCTAssertEqual(settings.parameters.topP, 0.9)
        XCTAssertEqual(settings.parameters.repeatPenalty, 1.2)
        XCTAssertEqual(settings.maxTokens, 7)
    }

    func testMissingOrInvalidValuesKeepTheBase() throws {
        let folder = try TestFolders.temporary(for: self)
        var base = SamplingSettings()
        base.parameters.topP = 0.5
        XCTAssertEqual(GenerationDefaults.applied(folder: folder, to: base).settings.parameters.topP, 0.5)
        try "{\"top_p\": 7, \"temperature\": 0.3}".write(toFile: folder + "/generation_config.json", atomically: true, encoding: .utf8)
        let (settings, warnings) = GenerationDefaults.applied(folder: folder, to: base)
        XCTAssertEqual(settings.parameters.topP, 0.5)          // out of range: ignored with a warning
        XCTAssertEqual(warnings, [.generationConfigValueIgnored(
            file: folder + "/generation_config.json", key: "top_p", value: "7",
            reason: SettingError(setting: "top_p", problem: .outOfRange(value: "7.0", rule: "must be in (0, 1]")))])
        XCTAssertEqual(settings.parameters.temperature, 0.3)
    }
}
