import Foundation
import SeekChat
import XCTest

/// Registry entries that name a server instead of a folder (`"remote"`, `"api_key_env"`, `"model"`).
final class RemoteEntryTests: XCTestCase {
    private func registry(_ json: String) throws -> ModelRegistry {
        let folder = try TestFolders.temporary(for: self)
        try json.write(toFile: folder + "/models.json", atomically: true, encoding: .utf8)
        return try ModelRegistry.load(explicitFile: folder + "/models.json", environment: ["HOME": "/home/u"])
    }

    func testRemoteEntriesCarryTheServerKeyVariableAndModel() throws {
        let models = try registry("""
            {"models": {"cluster": {"remote": "https://gpu.example/v1", "api_key_env": "CLUSTER_KEY",
                                    "model": "deepseek-ai/DeepSeek-V2", "system": "Be brief.",
                                    "sampling": {"temperature": 0.3}},
                        "local": {"path": "~/m"}}}
            """)
        let cluster = try XCTUnwrap(models.entry(named: "cluster"))
        XCTAssertEqual(cluster.remote, "https://gpu.example/v1")
        XCTAssertEqual(cluster.apiKeyEnvironmentVariable, "CLUSTER_KEY")
        XCTAssertEqual(cluster.remoteModel, "deepseek-ai/DeepSeek-V2")
        XCTAssertEqual(cluster.system, "Be brief.")
        XCTAssertEqual(cluster.sampling.map(\.name), ["temperature"])
        XCTAssertNil(models.entry(named: "local")?.remote)
        // A command that needs a folder says the entry is remote.
        XCTAssertThrowsError(try ModelResolver.resolve("cluster", registry: models)) { error in
            XCTAssertEqual(error as? ModelResolutionError, .remoteModel(name: "cluster", url: "https://gpu.example/v1"))
        }
    }

    /// A bad entry is unusable with its reason (the other entries still load).
    func testAnEntryIsAFolderOrAServerNotBoth() throws {
        func problem(_ json: String) throws -> RegistryError.Problem? {
            try registry(json).entry(named: "x")?.unavailable?.problem
        }
        XCTAssertEqual(try problem(#"{"models": {"x": {"path": "/m", "remote": "http://h:1"}}}"#), .pathAndRemote)
        XCTAssertEqual(try problem(#"{"models": {"x": {"remote": 5}}}"#), .notAString(key: "remote"))
        XCTAssertEqual(try problem(#"{"models": {"x": {"description": "neither"}}}"#), .missingPath)
    }
}
