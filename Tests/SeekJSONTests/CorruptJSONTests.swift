import CorruptInputs
import SeekJSON
import XCTest

/// Every corruption of a config-like document parses or ends in a JSONSyntaxError with a position.
final class CorruptJSONTests: XCTestCase {
    static let document = #"{"model_type": "deepseek_v2", "hidden_size": 2048, "rope_scaling": {"type": "yarn", "factor": 40.0, "beta_fast": 32}, "eos_token_id": [100001, 100002], "name": "caf\u00e9 \ud83d\ude00", "q_lora_rank": null, "tie_word_embeddings": false}"#

    func testEveryCorruptionEndsInAValueOrAPositionedError() throws {
        let bytes = Array(Self.document.utf8)
        let variants = CorruptInputs.truncations(of: bytes, stride: 1) + CorruptInputs.byteSubstitutions(of: bytes, stride: 1)
            + CorruptInputs.valueSwaps(of: try JSONParser.parse(bytes), maxNodes: 40)
        XCTAssertGreaterThan(variants.count, 500)
        var parsed = 0, refused = 0
        for variant in variants {
            do {
                let value = try JSONParser.parse(variant.bytes)
                XCTAssertEqual(try JSONParser.parse(try JSONWriter.python.string(value)), value, variant.description)
                parsed += 1
            } catch let error as JSONSyntaxError {
                XCTAssertGreaterThanOrEqual(error.line, 1, variant.description)
                XCTAssertLessThanOrEqual(error.offset, variant.bytes.count, variant.description)
                refused += 1
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(refused, 0)
    }
}
