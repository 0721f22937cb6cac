import Foundation
import XCTest

/// SeekJSON is the only JSON reader and writer in Sources: Foundation's coders must not come back
/// (they lose member order and integer/float kinds, and report errors without a line and column).
final class OneJSONImplementationTests: XCTestCase {
    static let forbidden = ["JSONSerialization", "JSONEncoder(", "JSONDecoder(", "JSONEncoder.", "JSONDecoder."]

    func testNoFoundationJSONCoderInSources() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(atPath: sources.path) else { return XCTFail("no \(sources.path)") }
        var scanned = 0
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: sources.appendingPathComponent(relative).path, encoding: .utf8)
            scanned += 1
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for word in Self.forbidden where line.contains(word) { found.append("Sources/\(relative):\(number + 1): \(word)") }
            }
        }
        XCTAssertGreaterThan(scanned, 100, "the scan found too few files to mean anything")
        XCTAssertEqual(found, [], "use SeekJSON (JSONParser, JSONWriter, JSONValueEncoder/Decoder) instead:\n" + found.joined(separator: "\n"))
    }
}
