import Foundation
import SeekChat
import SeekEngine
import XCTest

/// The registry file, paths, and how names resolve.
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
        let folder = try TestFolders.temporary(for: self)
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
        let folder = try TestFolders.temporary(for: self)
        func load(_ json: String) -> String {
            try? json.write(toFile: folder + "/m.json", atomically: true, encoding: .utf8)
            do {
                // A bad entry no longer fails the whole file: it is kept, unavailable, with its error.
                let registry = try ModelRegistry.load(explicitFile: folder + "/m.json", environment: ["HOME": "/h"])
                return registry.entries.compactMap(\.unavailable).first.map { String(describing: $0) } ?? "no error"
            } catch { return String(describing: error) }
        }
        XCTAssertTrue(load("{").contains("not valid JSON"))
        XCTAssertTrue(load("{\"models\": {\"a\": {}}}").contains("model \"a\": missing \"path\""))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"sampling\": {\"top_p\": 2}}}}").contains("top_p must be in (0, 1]"))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"sampling\": {\"warmth\": 2}}}}").contains("unknown setting"))
        XCTAssertTrue(load("{\"models\": {\"a\": {\"path\": \"/p\", \"quant\": \"q5\"}}}").contains("quant must be \"q8\", \"q4\" or \"auto\""))
        XCTAssertThrowsError(try ModelRegistry.load(explicitFile: folder + "/missing.json", environment: [:]))
        let none = try ModelRegistry.load(explicitFile: nil, environment: ["XDG_CONFIG_HOME": folder + "/nothing"])
        XCTAssertNil(none.file)
        XCTAssertTrue(none.entries.isEmpty)
    }

    func testRegistryLocation() {
        XCTAssertEqual(ModelRegistry.defaultLocation(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]), "/c/seek/models.json")
        XCTAssertEqual(ModelRegistry.defaultLocation(environment: ["HOME": "/h"]), "/h/.config/seek/models.json")
    }

    func testExampleRegistryParses() throws {
        let example = TestFolders.packageRoot + "/models.example.json"
        let registry = try ModelRegistry.load(explicitFile: example, environment: ["HOME": "/h"])
        // Copied to ~/.config/seek/models.json as documented, it must not redirect plain `seek`: it has no
        // "default" (whose relative path would be taken from the config folder), so the bundled model runs.
        XCTAssertNil(registry.entry(named: "default"))
        XCTAssertEqual(Set(registry.entries.map(\.name)), ["lite", "v2", "coder", "cluster"])
        XCTAssertEqual(registry.entry(named: "lite")?.path, "/h/models/DeepSeek-V2-Lite-Chat")
        XCTAssertEqual(registry.entry(named: "lite")?.quantizeToFit, true, "\"quant\": \"auto\"")
        // An unset variable makes that one entry unusable, not the whole registry.
        XCTAssertEqual(registry.entry(named: "v2")?.unavailable.map { "\($0)" }?.contains("$SEEK_MODEL_DIR, which is not set"), true)
        XCTAssertThrowsError(try ModelResolver.resolve("v2", registry: registry, environment: ["HOME": "/h"]))
    }
}
