import Foundation
import SeekServerTestSupport
import XCTest

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum TestFixtures {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// ../shared/fixtures/tiny-chat; fails the test (never skips) when the shared data is missing.
    static func tinyChat(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/tiny-chat").path
        guard FileManager.default.fileExists(atPath: path + "/tokenizer.json") else {
            XCTFail("missing fixture \(path): the server tests need ../shared/fixtures", file: file, line: line)
            throw TestFailure("missing fixture \(path)")
        }
        return path
    }
}

extension TinyChatModel {
    convenience init(contextSize: Int = 512) throws {
        try self.init(folder: try TestFixtures.tinyChat(), contextSize: contextSize)
    }
}
