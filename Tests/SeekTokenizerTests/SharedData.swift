import Foundation
import XCTest
import SeekTokenizer

/// Locates ../shared (the read-only oracles) from the package root, found by walking up from this file.
enum SharedData {
    static let root: URL? = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.deletingLastPathComponent().appendingPathComponent("shared")
            }
            url.deleteLastPathComponent()
        }
        return nil
    }()

    /// The path of a shared file; fails the test loudly when it is missing.
    static func path(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard let root else {
            XCTFail("cannot find the package root above \(#filePath)", file: file, line: line)
            return nil
        }
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("missing shared data: \(path)", file: file, line: line)
            return nil
        }
        return path
    }

    /// The DeepSeek tokenizer of ../shared/tokenizer, loaded once for all tests.
    nonisolated(unsafe) private static var cached: Tokenizer?
    private static let lock = NSLock()

    static func deepSeekTokenizer(file: StaticString = #filePath, line: UInt = #line) -> Tokenizer? {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        guard let folder = path("tokenizer", file: file, line: line) else { return nil }
        do {
            cached = try Tokenizer(folder: folder)
        } catch {
            XCTFail("loading \(folder): \(error)", file: file, line: line)
        }
        return cached
    }
}

/// A scratch folder with a tokenizer.json (and optionally tokenizer_config.json) for unit tests.
func makeTokenizerFolder(tokenizer: Any, config: Any? = nil) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seek-tok-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try JSONSerialization.data(withJSONObject: tokenizer).write(to: folder.appendingPathComponent("tokenizer.json"))
    if let config {
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("tokenizer_config.json"))
    }
    return folder.path
}
