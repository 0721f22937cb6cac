import SeekTemplate
import XCTest

/// Shared context and assertions for the construct tests. Expected strings were produced by jinja2 3.1
/// with transformers' settings (trim_blocks, lstrip_blocks, its tojson and raise_exception).
enum TemplateFixtures {
    static let context = #"{"d": {"a": 1, "b": [1, 2]}, "s": "  Hi There  ", "n": 7, "f": 2.5, "nums": [3, 1, 2], "e": "", "z": null, "t": true,  "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": " hi "}, {"role": "assistant", "content": "<think>x</think>ok"}],  "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city, \"now\"", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]} "#
}

extension XCTestCase {
    func render(_ source: String) throws -> String {
        try ChatTemplate(source: source).render(contextJSON: TemplateFixtures.context)
    }

    /// Each template renders exactly to its expected text.
    func assertRenders(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (source, expected) in cases {
            do {
                let rendered = try render(source)
                XCTAssertEqual(rendered, expected, "template: \(source)", file: file, line: line)
            } catch {
                XCTFail("template: \(source) threw \(error)", file: file, line: line)
            }
        }
    }

    /// Parsing or rendering fails with a TemplateError whose message contains `message` at `templateLine`.
    func assertFails(_ source: String, _ message: String, templateLine: Int?,
                     file: StaticString = #filePath, line: UInt = #line) {
        do {
            let rendered = try render(source)
            XCTFail("expected an error for \(source), rendered \(rendered)", file: file, line: line)
        } catch let error as TemplateError {
            XCTAssertTrue(error.message.contains(message), "\(error) should mention \"\(message)\"", file: file, line: line)
            XCTAssertEqual(error.line, templateLine, "\(error)", file: file, line: line)
        } catch {
            XCTFail("expected a TemplateError, got \(error)", file: file, line: line)
        }
    }
}
