import SeekJSON
import XCTest

/// JSONValueEncoder / JSONValueDecoder: Codable types through SeekJSON's values, with member order as
/// encoded, omitted nil optionals, and DecodingErrors that carry the field's path.
final class CodableBridgeTests: XCTestCase {
    struct Inner: Codable, Equatable {
        var name: String
        var weights: [Double]
    }

    struct Outer: Codable, Equatable {
        var zeta: Int
        var alpha: String
        var maybe: Bool?
        var inner: Inner
        var list: [Inner]
        var nested: [[Int]]
        var bytes: [UInt8]
        var table: [String: Int]
        var ratio: Float

        enum CodingKeys: String, CodingKey {
            case zeta, alpha, maybe, inner, list, nested, bytes, table, ratio = "the_ratio"
        }
    }

    static let sample = Outer(zeta: 3, alpha: "é \"q\" \n 😀 /", maybe: nil, inner: Inner(name: "a", weights: [0.1, 1, -2.5e-7]),
                              list: [Inner(name: "b", weights: []), Inner(name: "c", weights: [1e300])],
                              nested: [[1, 2], [], [Int.max, Int.min]], bytes: [0, 255], table: ["k": 1], ratio: 0.1)

    private func text(_ value: some Encodable, _ writer: JSONWriter = .compact) throws -> String {
        try writer.string(try JSONValueEncoder().encode(value))
    }

    func testRoundTripThroughText() throws {
        let written = try text(Self.sample)
        XCTAssertEqual(try JSONValueDecoder().decode(Outer.self, from: written), Self.sample)
        XCTAssertEqual(try JSONValueDecoder().decode(Outer.self, from: Array(written.utf8)), Self.sample)
    }

    func testKeysComeOutInEncodingOrderAndNilOptionalsAreLeftOut() throws {
        let written = try text(Self.sample)
        XCTAssertTrue(written.hasPrefix(#"{"zeta":3,"alpha":"é \"q\" \n 😀 /","inner":{"name":"a","weights":[0.1,1.0,-2.5e-07]},"list":"#), written)
        XCTAssertTrue(written.hasSuffix(#""bytes":[0,255],"table":{"k":1},"the_ratio":0.1}"#), written)
        XCTAssertFalse(written.contains("maybe"), written)
        var withFlag = Self.sample
        withFlag.maybe = false
        XCTAssertTrue(try text(withFlag).contains(#""alpha":"é \"q\" \n 😀 /","maybe":false,"inner""#))
    }

    func testNumbersKeepTheirKind() throws {
        struct Numbers: Codable, Equatable { var i: Int; var d: Double; var big: UInt64; var small: Int8 }
        let json = try JSONValueEncoder().encode(Numbers(i: 2, d: 2, big: UInt64.max, small: -3))
        XCTAssertEqual(json["i"], .int(2))
        XCTAssertEqual(json["d"], .double(2))
        XCTAssertEqual(json["big"], .double(Double(UInt64.max)))
        XCTAssertEqual(json["small"], .int(-3))
        // An integer field reads 3.0 (Python writes counts that way at times) but not 3.5 or true.
        XCTAssertEqual(try JSONValueDecoder().decode(Numbers.self, from: #"{"i": 3.0, "d": 4, "big": 5, "small": -128}"#),
                       Numbers(i: 3, d: 4, big: 5, small: -128))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Numbers.self, from: #"{"i": 3.5, "d": 4, "big": 5, "small": 1}"#))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Numbers.self, from: #"{"i": true, "d": 4, "big": 5, "small": 1}"#))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Numbers.self, from: #"{"i": 1, "d": 4, "big": 5, "small": 128}"#))
    }

    func testExplicitNilIsNull() throws {
        struct Explicit: Encodable {
            var value: String?
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(value, forKey: .value)
            }
            enum CodingKeys: String, CodingKey { case value }
        }
        XCTAssertEqual(try text(Explicit(value: nil)), #"{"value":null}"#)
    }

    func testMissingKeyNamesThePath() throws {
        let body = #"{"zeta": 1, "alpha": "x", "inner": {"name": "a", "weights": []}, "list": [{"name": "b"}]}"#
        XCTAssertThrowsError(try JSONValueDecoder().decode(Outer.self, from: body)) { error in
            guard case DecodingError.keyNotFound(let key, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "weights")
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["list", "0"])
            XCTAssertEqual(context.codingPath.last?.intValue, 0)
        }
    }

    func testWrongTypeNamesThePath() throws {
        let body = #"{"zeta": 1, "alpha": "x", "inner": {"name": "a", "weights": [1, "two"]}}"#
        XCTAssertThrowsError(try JSONValueDecoder().decode(Outer.self, from: body)) { error in
            guard case DecodingError.typeMismatch(let type, let context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(type == Double.self)
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["inner", "weights", "1"])
            XCTAssertEqual(context.debugDescription, "expected a number, got a string")
        }
        XCTAssertThrowsError(try JSONValueDecoder().decode(Outer.self, from: #"{"zeta": 1, "alpha": "x", "inner": null}"#)) { error in
            guard case DecodingError.valueNotFound(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["inner"])
        }
        XCTAssertThrowsError(try JSONValueDecoder().decode([Int].self, from: #"{"a": 1}"#)) { error in
            guard case DecodingError.typeMismatch = error else { return XCTFail("\(error)") }
        }
    }

    func testOptionalsReadMissingAndNullAsNil() throws {
        struct Optionals: Decodable, Equatable { var a: Int?; var b: [String]?; var c: Inner? }
        XCTAssertEqual(try JSONValueDecoder().decode(Optionals.self, from: #"{"a": null, "c": null}"#), Optionals(a: nil, b: nil, c: nil))
        XCTAssertEqual(try JSONValueDecoder().decode(Optionals.self, from: #"{"b": ["x", "y"], "extra": 1}"#),
                       Optionals(a: nil, b: ["x", "y"], c: nil))
        XCTAssertThrowsError(try JSONValueDecoder().decode(Optionals.self, from: #"{"a": "1"}"#))
    }

    func testSingleValueAndUnkeyedContainers() throws {
        // A field that is one string or a list of them, as OpenAI's `stop` is.
        struct OneOrMany: Decodable, Equatable {
            var items: [String]
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if container.decodeNil() { items = [] } else if let one = try? container.decode(String.self) { items = [one] } else {
                    items = try container.decode([String].self)
                }
            }
        }
        XCTAssertEqual(try JSONValueDecoder().decode([OneOrMany].self, from: #"["a", ["b", "c"], null]"#).map(\.items),
                       [["a"], ["b", "c"], []])
        var unkeyed = try NodeArray.decoder(#"[1, null, "x"]"#)
        XCTAssertEqual(unkeyed.count, 3)
        XCTAssertEqual(try unkeyed.decode(Int.self), 1)
        XCTAssertTrue(try unkeyed.decodeNil())
        XCTAssertThrowsError(try unkeyed.decode(Int.self))  // a string: the index stays
        XCTAssertEqual(try unkeyed.decode(String.self), "x")
        XCTAssertTrue(unkeyed.isAtEnd)
        XCTAssertThrowsError(try unkeyed.decode(String.self))
    }

    func testSyntaxErrorsKeepTheirPosition() throws {
        XCTAssertThrowsError(try JSONValueDecoder().decode(Inner.self, from: "{\n  \"name\": \"a\",\n  \"weights\": [1,]\n}")) { error in
            guard let error = error as? JSONSyntaxError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 3)
        }
    }

    func testEncodedJSONMatchesTheDecodedDocument() throws {
        // The same value parsed from text and encoded from the type are equal, members compared as a dict.
        let encoded = try JSONValueEncoder().encode(Self.sample)
        XCTAssertEqual(try JSONParser.parse(try text(Self.sample, .python)), encoded)
        XCTAssertEqual(encoded["the_ratio"], .double(0.1))
    }

    func testLiteralsAndObjectEdits() throws {
        var object: JSONObject = ["b": 1, "a": [true, nil, 2.5, "s"], "b": 3]
        XCTAssertEqual(object.keys, ["b", "a", "b"])
        object["b"] = "x"  // the repeated key collapses to its first position
        XCTAssertEqual(object.keys, ["b", "a"])
        XCTAssertEqual(object["b"], "x")
        object["c"] = .object(JSONObject())
        object["a"] = nil
        XCTAssertEqual(object.keys, ["b", "c"])
        XCTAssertEqual("\(JSON.object(object))", #"{"b":"x","c":{}}"#)
        XCTAssertEqual("\(JSON.array([1, 1e15, "é"]))", #"[1,1000000000000000.0,"é"]"#)
    }
}

/// An unkeyed container over a parsed array, reached through a Decodable that hands it out.
private struct NodeArray: Decodable {
    var container: any UnkeyedDecodingContainer
    init(from decoder: any Decoder) throws { container = try decoder.unkeyedContainer() }
    static func decoder(_ text: String) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder().decode(NodeArray.self, from: text).container
    }
}
