import Foundation
import SeekChat
import SeekEngine
import XCTest

/// The chat library's inputs made bad on purpose: registry files, conversation files, generation
/// configs. One bad entry or value is reported, named, and blocks nothing else.
final class ChatInputRobustnessTests: XCTestCase {
    private func registry(_ json: String, in folder: String) throws -> ModelRegistry {
        try json.write(toFile: folder + "/m.json", atomically: true, encoding: .utf8)
        return try ModelRegistry.load(explicitFile: folder + "/m.json", environment: ["HOME": "/h"])
    }

    func testRegistryValuesAreTypedAndKeysKnown() throws {
        let folder = try TestFolders.temporary(for: self)
        let bad: [(String, String)] = [
            ("{\"path\": \"/p\", \"sampling\": {\"temperature\": true}}", "temperature must be a number, got"),
            ("{\"path\": \"/p\", \"sampling\": {\"temperature\": \"0.7\"}}", "temperature must be a number"),
            ("{\"path\": \"/p\", \"context_size\": true}", "context_size must be a positive integer"),
            ("{\"path\": \"/p\", \"context_size\": 2.5}", "context_size must be a positive integer"),
            ("{\"path\": \"/p\", \"samplng\": {}}", "unknown key \"samplng\""),
            ("{\"path\": \"/p\", \"sytem\": \"x\"}", "unknown key \"sytem\""),
            ("{\"path\": \"/p\", \"chat_template_file\": \"/dev/zero\"}", "cannot read chat_template_file"),
            ("[1]", "must be an object"),
        ]
        for (entry, expected) in bad {
            let loaded = try registry("{\"models\": {\"good\": {\"path\": \"/g\"}, \"bad\": \(entry)}}", in: folder)
            let message = loaded.entry(named: "bad")?.unavailable.map { "\($0)" } ?? "accepted"
            XCTAssertTrue(message.contains(expected) && message.contains("model \"bad\""), "\(entry): \(message)")
            // The other entry, and folders by path, still resolve.
            XCTAssertEqual(try ModelResolver.resolve("good", registry: loaded, environment: ["HOME": "/h"]).folder, "/g")
            XCTAssertEqual(try ModelResolver.resolve("/some/folder", registry: loaded, environment: ["HOME": "/h"]).folder, "/some/folder")
            XCTAssertThrowsError(try ModelResolver.resolve("bad", registry: loaded, environment: ["HOME": "/h"])) {
                XCTAssertTrue("\($0)".contains(expected), "\($0)")
            }
        }
        // A good sampling value still works.
        let good = try registry("{\"models\": {\"a\": {\"path\": \"/p\", \"sampling\": {\"temperature\": 0.25, \"seed\": 7}}}}", in: folder)
        let settings = good.entry(named: "a")!.samplingDefaults(over: SamplingSettings())
        XCTAssertEqual(settings.parameters.temperature, 0.25)
        XCTAssertEqual(settings.parameters.seed, 7)
        XCTAssertThrowsError(try registry("{\"models\": {}, \"model\": {}}", in: folder)) { XCTAssertTrue("\($0)".contains("unknown key \"model\""), "\($0)") }
    }

    func testRegistrySyntaxErrorsHaveAPosition() throws {
        let folder = try TestFolders.temporary(for: self)
        XCTAssertThrowsError(try registry("{\n  \"models\": {\n    \"a\" {}\n  }\n}", in: folder)) { error in
            XCTAssertTrue("\(error)".contains("not valid JSON (line 3, column"), "\(error)")
        }
    }

    func testRegistryThatIsNotARegularFile() throws {
        let folder = try TestFolders.temporary(for: self)
        XCTAssertEqual(mkfifo(folder + "/fifo.json", 0o644), 0)
        XCTAssertThrowsError(try ModelRegistry.load(explicitFile: folder + "/fifo.json", environment: [:])) {
            XCTAssertTrue("\($0)".contains("is a FIFO, not a regular file"), "\($0)")
        }
        XCTAssertThrowsError(try ModelRegistry.load(explicitFile: folder, environment: [:])) {
            XCTAssertTrue("\($0)".contains("is a directory"), "\($0)")
        }
    }

    func testEmptyModelNameIsAnError() throws {
        XCTAssertThrowsError(try ModelResolver.resolve("", registry: ModelRegistry(file: nil, entries: []), environment: [:])) {
            XCTAssertEqual($0 as? ModelResolutionError, .emptyName)
        }
    }

    func testConversationSaveIsAtomicAndTildeIsHome() throws {
        let folder = try TestFolders.temporary(for: self)
        let conversation = Conversation(system: "s", messages: [.init(role: "user", content: "line\r\nnext")])
        let path = folder + "/chat.json"
        try conversation.save(to: path, model: "m")
        XCTAssertEqual(try Conversation.load(from: path), conversation)
        // A failed save (no such folder) says why in words, not an NSError dump, and leaves nothing.
        XCTAssertThrowsError(try conversation.save(to: folder + "/no/such/chat.json", model: "m")) {
            XCTAssertEqual("\($0)", folder + "/no/such/chat.json: cannot write (No such file or directory)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["chat.json"])
        XCTAssertEqual(Conversation.expandHome("~/x.json", environment: ["HOME": "/home/elsewhere"]), "/home/elsewhere/x.json")
        XCTAssertEqual(Conversation.expandHome("~", environment: ["HOME": "/e"]), "/e")
        XCTAssertEqual(Conversation.expandHome("a/~/b", environment: ["HOME": "/e"]), "a/~/b")
        // /load of a FIFO or a directory: an error, not a hang.
        XCTAssertEqual(mkfifo(folder + "/fifo", 0o644), 0)
        XCTAssertThrowsError(try Conversation.load(from: folder + "/fifo")) { XCTAssertTrue("\($0)".contains("is a FIFO"), "\($0)") }
        XCTAssertThrowsError(try Conversation.load(from: folder)) { XCTAssertTrue("\($0)".contains("is a directory"), "\($0)") }
    }

    func testGenerationConfigProblemsAreWarnings() throws {
        let folder = try TestFolders.temporary(for: self)
        let path = folder + "/generation_config.json"
        func warnings() -> [String] { GenerationDefaults.applied(folder: folder, to: SamplingSettings()).warnings.map(\.description) }
        XCTAssertEqual(warnings(), [])
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertTrue(warnings().first?.contains("is a directory, not a regular file; its sampling defaults are ignored") == true, "\(warnings())")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertTrue(warnings().first?.contains("is a FIFO") == true, "\(warnings())")
        try FileManager.default.removeItem(atPath: path)
        try "{\"temperature\": true, \"top_k\": \"5\", \"top_p\": 0.5}".write(toFile: path, atomically: true, encoding: .utf8)
        let result = GenerationDefaults.applied(folder: folder, to: SamplingSettings())
        XCTAssertEqual(result.settings.parameters.topP, 0.5)
        XCTAssertEqual(result.settings.parameters.temperature, SamplingSettings().parameters.temperature)
        XCTAssertEqual(result.warnings.count, 2, "\(result.warnings)")
    }
}
