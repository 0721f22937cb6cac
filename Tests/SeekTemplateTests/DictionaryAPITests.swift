import Foundation
import SeekTemplate
import XCTest

/// The `[String: Any]` API: Swift and Foundation (JSONSerialization) values keep their JSON types.
final class DictionaryAPITests: XCTestCase {
    private let template = "{{ messages[0] | tojson }}|{{ tools | tojson }}|{{ bos_token is defined }}|{{ extra }}"

    func testSwiftValuesKeepTheirTypes() throws {
        let rendered = try ChatTemplate(source: template).render(
            messages: [["b": true, "a": 1, "c": 1.5, "d": NSNull(), "e": ["x", 2]]],
            addGenerationPrompt: false, bosToken: nil, eosToken: nil, extraContext: ["extra": "E"])
        XCTAssertEqual(rendered, #"{"a": 1, "b": true, "c": 1.5, "d": null, "e": ["x", 2]}|null|False|E"#)
    }

    func testFoundationValuesKeepTheirTypes() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"[{"b": true, "a": 1, "c": 1.5, "d": null}]"#.utf8))
        let rendered = try ChatTemplate(source: template).render(
            messages: try XCTUnwrap(parsed as? [[String: Any]]), addGenerationPrompt: false,
            bosToken: "<s>", eosToken: nil, tools: [["type": "function"]], extraContext: ["extra": 3])
        XCTAssertEqual(rendered, #"{"a": 1, "b": true, "c": 1.5, "d": null}|[{"type": "function"}]|True|3"#)
    }
}
