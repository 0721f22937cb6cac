import SeekJSON
import XCTest

/// The reader: Python json.loads semantics (order, int vs float, last of repeated keys, NaN), errors
/// with line and column, and no recursion whatever the nesting.
final class JSONParserTests: XCTestCase {
    func testValuesKeepOrderAndKinds() throws {
        let value = try JSONParser.parse(#" {"z": 1, "a": [1.0, -2, 3e2, 12345678901234567890, null, true, false], "m": {"é": "\u00e9\ud83d\ude00\/"}} "#)
        guard case .object(let o) = value else { return XCTFail("\(value)") }
        XCTAssertEqual(o.keys, ["z", "a", "m"])
        XCTAssertEqual(o["z"], .int(1))
        XCTAssertEqual(o["a"], .array([.double(1), .int(-2), .double(300), .double(12345678901234567890), .null, .bool(true), .bool(false)]))
        XCTAssertEqual(o["m"]?["é"], .string("é😀/"))
    }

    func testPythonExtensionsAndRepeatedKeys() throws {
        let value = try JSONParser.parse(#"[NaN, Infinity, -Infinity, {"k": 1, "j": 0, "k": 2}]"#)
        guard case .array(let items) = value, case .double(let nan) = items[0], case .object(let o) = items[3] else {
            return XCTFail("\(value)")
        }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(items[1], .double(.infinity))
        XCTAssertEqual(items[2], .double(-.infinity))
        XCTAssertEqual(o["k"], .int(2))  // Python: last value, first position
        XCTAssertEqual(o.members.map(\.key), ["k", "j"])
        XCTAssertEqual(o.members.first?.value, .int(2))
        // Lone surrogates cannot be Swift text: they become U+FFFD.
        XCTAssertEqual(try JSONParser.parse(#""\ud800x\udc00""#), .string("\u{FFFD}x\u{FFFD}"))
    }

    func testErrorsNameLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':'"),
            ("[1, 2", 1, 6, "unexpected end"),
            ("[1 2]", 1, 4, "expected ',' or ']'"),
            ("{\"é\": tru}", 1, 7, "expected a value"),
            ("", 1, 1, "empty"),
            ("01", 1, 1, "cannot start with 0"),
            ("[1.]", 1, 2, "digits after '.'"),
            ("\"a\u{1}\"", 1, 3, "control character"),
            ("\"\\x\"", 1, 2, "invalid escape"),
            ("\"abc", 1, 1, "unterminated string"),
            ("{} x", 1, 4, "after the JSON value"),
            ("{1: 2}", 1, 2, "expected a string key"),
        ]
        for (text, line, column, message) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                guard let error = error as? JSONSyntaxError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.line, line, "\(text): \(error)")
                XCTAssertEqual(error.column, column, "\(text): \(error)")
                XCTAssertTrue(error.message.contains(message), "\(text): \(error)")
                XCTAssertTrue(error.description.hasPrefix("line \(line), column \(column): "), error.description)
            }
        }
    }

    func testDeepNestingIsAnErrorNotACrash() throws {
        for opener in ["[", "{\"a\":"] {
            let deep = String(repeating: opener, count: 200_000)
            XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
                XCTAssertTrue("\(error)".contains("nesting deeper than 512"), "\(error)")
            }
        }
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try JSONParser.parse(ok))
        XCTAssertThrowsError(try JSONParser.parse(ok, maxDepth: 511))
    }

    func testTypedFieldsNameThePath() throws {
        let root = JSONField(try JSONParser.parse(#"{"model": {"vocab": [], "n": 2.5, "k": 3.0, "big": 1e300, "ok": 7, "s": "x"}, "list": [1, "two"]}"#))
        func message(_ body: () throws -> Any?) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(try root["model"]["ok"].int(in: 0...10), 7)
        XCTAssertEqual(message { try root["model"]["ok"].int(in: 0...5) }, "model.ok: 7 is out of range (expected 0…5)")
        XCTAssertEqual(message { try root["model"]["vocab"].object() }, "model.vocab: expected an object, got an array")
        XCTAssertEqual(message { try root["model"]["n"].int() }, "model.n: expected an integer, got a number")
        XCTAssertEqual(message { try root["model"]["k"].int() }, "model.k: expected an integer, got 3.0 (write it without a fraction)")
        XCTAssertEqual(message { try root["model"]["big"].int() }, "model.big: 1e+300 is out of range")
        XCTAssertEqual(message { try root["model"]["missing"].string() }, "model.missing: missing (expected a string)")
        XCTAssertEqual(message { try root["model"]["s"]["deeper"].optionalInt() }, "model.s: expected an object, got a string")
        XCTAssertEqual(message { try root["list"].array()[1].int() }, "list[1]: expected an integer, got a string")
        XCTAssertNil(try root["model"]["missing"].optionalDouble())
        XCTAssertEqual(try root["model"]["ok"].double(), 7)
    }
}
