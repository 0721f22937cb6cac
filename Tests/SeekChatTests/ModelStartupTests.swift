import Foundation
import SeekChat
import SeekEngine
import XCTest

/// The one path from a model name to a running model: resolve, check the folder for what the caller
/// needs, load; warnings and defaults come back as values.
final class ModelStartupTests: XCTestCase {
    private func startup(folder: String, entry: ModelEntry? = nil) -> ModelStartup {
        ModelStartup(registry: ModelRegistry(file: nil, entries: entry.map { [$0] } ?? []),
                     resolved: ResolvedModel(displayName: entry?.name ?? (folder as NSString).lastPathComponent, folder: folder, entry: entry))
    }

    func testLoadingAChatModelWithWarningsAsValues() throws {
        let fixture = TestFolders.fixture("tiny-chat")
        let loaded = try startup(folder: fixture).load(LoadSettings(contextSize: 100_000))
        XCTAssertEqual(loaded.name, "tiny-chat")
        XCTAssertNotNil(loaded.template)
        XCTAssertEqual(loaded.model.contextSize, 512)
        XCTAssertEqual(loaded.warnings, [.contextCapped(requested: 100_000, positions: 512, using: 512)])
        XCTAssertTrue(loaded.stopTokenIds.contains(100_001))
        // The registry entry's context applies when the caller gives none, without a warning.
        var entry = ModelEntry(name: "tiny", path: fixture)
        entry.contextSize = 64
        entry.system = "Be brief."
        let fromEntry = try startup(folder: fixture, entry: entry).load(LoadSettings())
        XCTAssertEqual(fromEntry.model.contextSize, 64)
        XCTAssertEqual(fromEntry.warnings, [])
        XCTAssertEqual(fromEntry.defaultSystem, "Be brief.")
        XCTAssertEqual(ChatSession(loaded: fromEntry, settings: SamplingSettings()).conversation.system, "Be brief.")
    }

    func testEachCallerChecksOnlyWhatItNeeds() throws {
        let noTokenizer = TestFolders.fixture("tiny-lite")
        let lite = startup(folder: noTokenizer)
        XCTAssertThrowsError(try lite.load(LoadSettings())) {
            XCTAssertEqual($0 as? ModelFolderError, ModelFolderError(folder: noTokenizer, problem: .noTokenizer))
        }
        XCTAssertThrowsError(try lite.loadTokenizer()) {
            XCTAssertEqual($0 as? ModelFolderError, ModelFolderError(folder: noTokenizer, problem: .noTokenizer))
        }
        XCTAssertEqual(try lite.loadModel(LoadSettings(contextSize: 32)).contextSize, 32)  // bench needs no tokenizer

        let empty = try TestFolders.temporary(for: self)
        XCTAssertThrowsError(try startup(folder: empty).loadModel(LoadSettings())) {
            XCTAssertEqual($0 as? ModelFolderError, ModelFolderError(folder: empty, problem: .noConfig))
        }
        XCTAssertThrowsError(try startup(folder: empty + "/missing").loadTokenizer()) {
            XCTAssertEqual($0 as? ModelFolderError, ModelFolderError(folder: empty + "/missing", problem: .noSuchFolder))
        }
    }

    func testSamplingDefaultsLayerSeeksTheFoldersAndTheEntrys() throws {
        let folder = try TestFolders.temporary(for: self)
        try "{\"temperature\": 0.3, \"top_k\": 7}".write(toFile: folder + "/generation_config.json", atomically: true, encoding: .utf8)
        var entry = ModelEntry(name: "m", path: folder)
        entry.sampling = [("top_k", "3")]
        entry.stop = ["User:"]
        let (settings, warnings) = startup(folder: folder, entry: entry).samplingDefaults(seed: 42)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(settings.parameters.seed, 42)
        XCTAssertEqual(settings.parameters.temperature, 0.3)  // the folder's
        XCTAssertEqual(settings.parameters.topK, 3)           // the entry's, over the folder's
        XCTAssertEqual(settings.parameters.topP, SamplingParameters().topP)  // seek's
        XCTAssertEqual(settings.stop, ["User:"])
    }

    func testResolutionErrorsAreTyped() throws {
        let registry = ModelRegistry(file: "/r/models.json", entries: [ModelEntry(name: "lite", path: "/m/lite")])
        XCTAssertThrowsError(try ModelResolver.resolve("nosuch", registry: registry, environment: ["HOME": "/h"])) {
            XCTAssertEqual($0 as? ModelResolutionError, .unknownName("nosuch", registryFile: "/r/models.json", known: ["default", "lite"]))
        }
        XCTAssertEqual(try ModelResolver.resolve("lite", registry: registry).folder, "/m/lite")
        XCTAssertEqual(try ModelResolver.resolve("./here", registry: registry, environment: ["HOME": "/h"]).displayName, "here")
    }
}
