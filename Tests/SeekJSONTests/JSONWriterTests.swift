import SeekJSON
import XCTest

/// The writer against Python's json.dumps. Expected texts were printed by CPython 3's json module for the
/// same document and options (the reference `tojson` and `--json` follow).
final class JSONWriterTests: XCTestCase {
    static let document = "{\"b\": [1, 2.5, -0.0, 1e-07, 1e+16, 123456789.125, null, true], \"a\": {\"\u{e9}\": \"x\\u0001\\u007f\\ud83d\\ude00\\\"\\\\\\n\"}, \"\": []}"

    func testMatchesPythonJSONDumps() throws {
        let value = try JSONParser.parse(Self.document)
        let cases: [(JSONWriter, String)] = [
            (JSONWriter.python, "{\"b\": [1, 2.5, -0.0, 1e-07, 1e+16, 123456789.125, null, true], \"a\": {\"\\u00e9\": \"x\\u0001\\u007f\\ud83d\\ude00\\\"\\\\\\n\"}, \"\": []}"),
            (JSONWriter.template, "{\"b\": [1, 2.5, -0.0, 1e-07, 1e+16, 123456789.125, null, true], \"a\": {\"\u{e9}\": \"x\\u0001\u{7f}\u{1f600}\\\"\\\\\\n\"}, \"\": []}"),
            (JSONWriter(ensureASCII: false, indent: "  ", sortKeys: true), "{\n  \"\": [],\n  \"a\": {\n    \"\u{e9}\": \"x\\u0001\u{7f}\u{1f600}\\\"\\\\\\n\"\n  },\n  \"b\": [\n    1,\n    2.5,\n    -0.0,\n    1e-07,\n    1e+16,\n    123456789.125,\n    null,\n    true\n  ]\n}"),
            (JSONWriter(ensureASCII: false, itemSeparator: ",", keySeparator: ":"), "{\"b\":[1,2.5,-0.0,1e-07,1e+16,123456789.125,null,true],\"a\":{\"\u{e9}\":\"x\\u0001\u{7f}\u{1f600}\\\"\\\\\\n\"},\"\":[]}"),
        ]
        for (writer, expected) in cases {
            XCTAssertEqual(try writer.string(value), expected)
        }
    }

    func testNonFiniteNumbersAndEmptyContainers() throws {
        XCTAssertEqual(try JSONWriter.python.string(.array([.double(.nan), .double(.infinity), .double(-.infinity)])),
                       "[NaN, Infinity, -Infinity]")
        XCTAssertThrowsError(try JSONWriter.compact.string(.array([.double(.nan)])))
        XCTAssertEqual(try JSONWriter(indent: "    ").string(try JSONParser.parse(#"{"a": [], "b": {}}"#)),
                       "{\n    \"a\": [],\n    \"b\": {}\n}")
    }

    func testDeepValuesAndHugeOutputAreRefused() throws {
        var deep = JSON.null
        for _ in 0..<600 { deep = .array([deep]) }
        XCTAssertThrowsError(try JSONWriter.python.string(deep)) { XCTAssertTrue("\($0)".contains("deeper than"), "\($0)") }
        var writer = JSONWriter.compact
        writer.maxBytes = 1000
        let big = JSON.array(Array(repeating: .string(String(repeating: "x", count: 100)), count: 100))
        XCTAssertThrowsError(try writer.string(big)) { XCTAssertTrue("\($0)".contains("longer than 1000"), "\($0)") }
    }

    func testRoundTrip() throws {
        let value = try JSONParser.parse(Self.document)
        for writer in [JSONWriter.python, .template, .compact, JSONWriter(indent: "\t", sortKeys: true)] {
            XCTAssertEqual(try JSONParser.parse(try writer.string(value)), value)
        }
    }
}
