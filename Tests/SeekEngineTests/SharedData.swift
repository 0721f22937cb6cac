import Foundation
import XCTest
@testable import SeekEngine

/// Locates ../shared (the read-only oracle) relative to the package root. Missing data fails the test.
enum SharedData {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// Path of a fixture folder; fails the calling test loudly when it is not there.
    static func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = root.appendingPathComponent("fixtures/\(name)").path
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            XCTFail("shared fixture missing: \(path) (tests need ../shared next to the repository)", file: file, line: line)
            throw TestDataError("missing fixture \(name)")
        }
        return path
    }

    /// Names of every fixture folder whose config.json has one of the given model types.
    static func fixtures(modelTypes: Set<String>) -> [String] {
        let dir = root.appendingPathComponent("fixtures").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().filter { name in
            guard let data = FileManager.default.contents(atPath: "\(dir)/\(name)/config.json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let type = json["model_type"] as? String else { return false }
            return modelTypes.contains(type)
        }
    }
}

/// Largest absolute difference between two float arrays of equal length.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Test data that is not where a test expects it.
struct TestDataError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
