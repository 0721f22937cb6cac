import Foundation
import SeekChat
import XCTest

/// The repository, the shared oracle next to it, and scratch folders.
enum TestFolders {
    /// The folder holding Package.swift.
    static let packageRoot: String = {
        guard let root = PackageRoot.containing(#filePath) else { fatalError("no Package.swift above \(#filePath)") }
        return root
    }()

    /// ../shared/fixtures/NAME; fails the test (never skips) when the shared ground truth is missing.
    static func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let path = ((packageRoot + "/../shared/fixtures/" + name) as NSString).standardizingPath
        if !FileManager.default.fileExists(atPath: path + "/config.json") {
            XCTFail("missing fixture \(path): the chat tests need ../shared/fixtures", file: file, line: line)
        }
        return path
    }

    /// A fresh empty folder, removed after the test.
    static func temporary(for test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "seek-chat-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

extension ModelStartup {
    /// The start-up of a model folder with an empty registry, as `seek -m FOLDER` makes it.
    static func forFolder(_ folder: String) throws -> ModelStartup {
        let registry = ModelRegistry(file: nil, entries: [])
        return ModelStartup(registry: registry, resolved: try ModelResolver.resolve(folder, registry: registry))
    }
}
