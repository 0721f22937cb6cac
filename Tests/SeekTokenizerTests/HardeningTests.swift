import CorruptInputs
import Foundation
import SeekJSON
@testable import SeekTokenizer
import XCTest

/// tokenizer.json and tokenizer_config.json that are wrong in every systematic way end in a
/// TokenizerError naming the file, never a trap or an allocation sized by a number in the file.
final class HardeningTests: XCTestCase {
    private func load(_ text: [UInt8], config: JSON? = nil) throws -> Tokenizer {
        let json: JSON
        do { json = try JSONParser.parse(text) } catch { throw TokenizerError("tokenizer.json: invalid JSON: \(error)") }
        return try Tokenizer(json: JSONField(json), config: config.map { JSONField($0) },
                             tokenizerFile: "tokenizer.json", configFile: config == nil ? nil : "tokenizer_config.json")
    }

    private var tinyJSON: [UInt8] {
        var tiny = TinyTokenizer()
        tiny.merge("h", "e")
        tiny.merge("l", "l")
        tiny.addedTokens = [["id": 258, "content": "<|end|>", "special": true]]
        return [UInt8](try! JSONSerialization.data(withJSONObject: tiny.json, options: [.sortedKeys]))
    }

    private func assertRefused(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(Array(text.utf8)), file: file, line: line) { error in
            XCTAssertTrue(error is TokenizerError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("tokenizer.json"), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testAbsurdAndInconsistentIdsAreRefused() {
        let model = #""model": {"type": "BPE", "vocab": VOCAB, "merges": MERGES}"#
        func doc(_ vocab: String, merges: String = "[]", added: String = "[]") -> String {
            "{" + model.replacingOccurrences(of: "VOCAB", with: vocab).replacingOccurrences(of: "MERGES", with: merges)
                + #", "added_tokens": \#(added)}"#
        }
        assertRefused(doc(#"{"a": 0}"#, added: #"[{"id": 2000000000, "content": "<x>"}]"#), "far beyond")
        assertRefused(doc(#"{"a": 1500000000}"#), "out of range")
        assertRefused(doc(#"{"a": -1}"#), "out of range")
        assertRefused(doc(#"{"a": 0, "b": 0}"#), "same id 0")
        assertRefused(doc(#"{"a": 0}"#, added: #"[{"id": 5, "content": "<x>"}, {"id": 5, "content": "<y>"}]"#), "share id 5")
        assertRefused(doc(#"{"a": 0}"#, added: #"[{"id": 1, "content": ""}]"#), "cannot be empty")
        assertRefused(doc(#"{"a": 0.5}"#), "expected an integer")
        assertRefused(doc(#"{"a": "0"}"#), "expected an integer")
        assertRefused(doc(#"{"a": 0}"#, added: #"{"id": 1}"#), "added_tokens: expected an array")
        assertRefused(doc(#"{"a": 0}"#, added: #"[{"id": 1, "content": "<x>", "special": "yes"}]"#), "added_tokens[0].special: expected true or false")
        assertRefused(#"{"model": {"type": "BPE", "vocab": {"a": 0}}}"#, "model.merges: missing")
        assertRefused(doc(#"{"a": 0}"#, merges: #"["a b"]"#), "missing from the vocab")
        assertRefused(doc(#"[]"#), "model.vocab: expected an object")
        assertRefused(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": 3}}"#, "pre_tokenizer.type: expected a string")
        assertRefused(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "X"}}], "special_tokens": {"X": {"ids": [99]}}}}"#, "token id 99")
    }

    func testUnknownSpecialTokensAreReported() throws {
        let unknownBOS: JSON = .object(JSONObject([("bos_token", .string("<nope>")), ("add_bos_token", .bool(true))]))
        XCTAssertThrowsError(try load(tinyJSON, config: unknownBOS)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer_config.json: add_bos_token is true but bos_token \"<nope>\" is not a token"), "\(error)")
        }
        let unusedBOS: JSON = .object(JSONObject([("bos_token", .string("<nope>")), ("add_bos_token", .bool(false))]))
        let tokenizer = try load(tinyJSON, config: unusedBOS)
        XCTAssertEqual(tokenizer.warnings, ["tokenizer_config.json: bos_token \"<nope>\" is not a token of tokenizer.json; it is ignored"])
    }

    func testDecodeSkipsUnknownIdsAndEmptyTextEncodes() throws {
        let tokenizer = try load(tinyJSON)
        XCTAssertEqual(tokenizer.decode([Int(UInt8(ascii: "h")), 1_000_000, -5, Int.max, 258], skipSpecialTokens: false), "h<|end|>")
        XCTAssertEqual(try tokenizer.encode(""), [])
        // Found by the fuzzer: empty text with a ByteLevel pre-tokenizer adding a prefix space trapped.
        let regression = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Regressions/empty-text-with-prefix-space.json")
        let prefixSpace = try load([UInt8](try Data(contentsOf: regression)))
        XCTAssertEqual(try prefixSpace.encode(""), [])
        XCTAssertEqual(prefixSpace.decode(try prefixSpace.encode("he 12")), " he 12")
    }

    func testTokenLimitStopsEarlyAndKeepsExactIds() throws {
        guard let path = SharedData.path("tokenizer/tokenizer.json") else { return }
        let tokenizer = try Tokenizer(tokenizerFile: path, configFile: nil)
        let line = "The Lord is my shepherd; I shall not want. He maketh me to lie down in green pastures.\n"
        let text = String(repeating: line, count: 2_000)  // 176 KB: three pieces
        let exact = try tokenizer.encode(text)
        XCTAssertEqual(try tokenizer.encode(text, maxTokens: exact.count), exact)
        XCTAssertThrowsError(try tokenizer.encode(text, maxTokens: exact.count - 1)) { error in
            XCTAssertEqual(error as? TokenLimitExceeded, TokenLimitExceeded(limit: exact.count - 1, counted: exact.count))
        }
        // 50 MB fails after its first piece.
        let huge = String(repeating: line, count: 600_000)
        let start = Date()
        XCTAssertThrowsError(try tokenizer.encode(huge, maxTokens: 4_096)) { error in
            guard let error = error as? TokenLimitExceeded else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(error.counted, 4_096)
            XCTAssertLessThan(error.counted, 40_000)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    /// The generator's corruptions of a valid tokenizer.json: each loads (and then encodes and decodes)
    /// or is a TokenizerError naming the file.
    func testEveryCorruptionLoadsOrFailsWithTheFileNamed() throws {
        let bytes = tinyJSON
        let variants = CorruptInputs.truncations(of: bytes, stride: 97) + CorruptInputs.byteSubstitutions(of: bytes, stride: 89)
            + CorruptInputs.valueSwaps(of: try JSONParser.parse(bytes), maxNodes: 60)
        XCTAssertGreaterThan(variants.count, 500)
        var loaded = 0, refused = 0
        for variant in variants {
            do {
                let tokenizer = try load(variant.bytes)
                let ids = try tokenizer.encode("hello <|end|> world 123")
                XCTAssertTrue(ids.allSatisfy { $0 >= 0 && $0 < tokenizer.vocabularySize }, variant.description)
                _ = tokenizer.decode(ids)
                loaded += 1
            } catch let error as TokenizerError {
                XCTAssertTrue(error.message.hasPrefix("tokenizer.json"), "\(variant.description): \(error)")
                XCTAssertFalse(error.message.contains("\n"), variant.description)
                refused += 1
            }
        }
        XCTAssertGreaterThan(loaded, 10)
        XCTAssertGreaterThan(refused, 100)
    }
}
