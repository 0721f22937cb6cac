import CorruptInputs
import SeekTemplate
import XCTest

/// Every truncation and byte substitution of the real DeepSeek-V3 template (with a conversation that
/// uses tools) renders or ends in a TemplateError; none traps or runs away.
final class CorruptTemplateTests: XCTestCase {
    func testCorruptedRealTemplatesRenderOrFailCleanly() throws {
        guard let source = SharedData.text("tokenizer/templates/deepseek-v3.jinja"),
              let chat = SharedData.text("tokenizer/chat_cases.jsonl")?.split(separator: "\n").last else { return }
        let bytes = Array(source.utf8)
        let variants = CorruptInputs.truncations(of: bytes, stride: 3) + CorruptInputs.byteSubstitutions(of: bytes, stride: 2)
        var rendered = 0, refused = 0
        for variant in variants {
            let text = String(decoding: variant.bytes, as: UTF8.self)
            do {
                _ = try ChatTemplate(source: text, name: "v3").render(contextJSON: String(chat))
                rendered += 1
            } catch let error as TemplateError {
                XCTAssertEqual(error.template, "v3", variant.description)
                refused += 1
            } catch {
                XCTFail("\(variant.description): not a TemplateError: \(error)")
            }
        }
        XCTAssertGreaterThan(rendered, 100)
        XCTAssertGreaterThan(refused, 100)
    }
}
