import Foundation
import SeekChat
import XCTest

/// Where the package, the shared fixtures and the built `seek` binary are.
enum TestPaths {
    /// The folder holding Package.swift.
    static let packageRoot: URL = {
        guard let root = PackageRoot.containing(#filePath) else { fatalError("no Package.swift above \(#filePath)") }
        return URL(fileURLWithPath: root)
    }()

    /// ../shared/fixtures/NAME; fails the test (never skips) when the shared ground truth is missing.
    static func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let path = packageRoot.appendingPathComponent("../shared/fixtures/\(name)").standardizedFileURL.path
        if !FileManager.default.fileExists(atPath: path + "/config.json") {
            XCTFail("missing fixture \(path): the CLI tests need ../shared/fixtures", file: file, line: line)
        }
        return path
    }

    /// The build products folder (where `seek` sits next to the test bundle).
    static let productsDirectory: URL = {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("no .xctest bundle")
        #else
        return Bundle.main.bundleURL
        #endif
    }()

    static var seekBinary: String { productsDirectory.appendingPathComponent("seek").path }

    /// A fresh empty folder, removed after the test.
    static func temporaryFolder(for test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "seek-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// An environment with HOME and the XDG folders inside `home`, so tests never touch the user's files.
    static func isolatedEnvironment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_STATE_HOME": home + "/state",
                           "XDG_CACHE_HOME": home + "/cache",
                           "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TERM": "dumb",
                           "LANG": "C.UTF-8", "SEEK_DEFAULT_MODEL": home + "/no-bundled-model"]
        environment.merge(extra) { $1 }
        return environment
    }
}
