import Foundation
import SeekTemplate
import XCTest

/// Hostile templates end in a TemplateError naming the template and line, quickly and without
/// exhausting the stack or memory; real templates use a tiny fraction of every budget.
final class BudgetTests: XCTestCase {
    private func assertBudgetError(_ source: String, _ fragment: String, line: Int = 1, within seconds: Double = 10,
                                   file: StaticString = #filePath, sourceLine: UInt = #line) {
        let start = Date()
        do {
            let template = try ChatTemplate(source: source, name: "hostile.jinja")
            let rendered = try template.render(contextJSON: "{}")
            XCTFail("rendered \(rendered.utf8.count) bytes instead of failing", file: file, line: sourceLine)
        } catch let error as TemplateError {
            XCTAssertTrue(error.message.contains(fragment), "\(error)", file: file, line: sourceLine)
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: sourceLine)
            XCTAssertEqual(error.template, "hostile.jinja", file: file, line: sourceLine)
            XCTAssertTrue(error.description.hasPrefix("hostile.jinja line \(line): "), error.description, file: file, line: sourceLine)
        } catch {
            XCTFail("not a TemplateError: \(error)", file: file, line: sourceLine)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds, "took too long", file: file, line: sourceLine)
    }

    func testLongOperatorChainsAreRefusedNotOverflowed() {
        assertBudgetError("{{ 'a'" + String(repeating: " ~ 'a'", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ x" + String(repeating: " or x", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ 1" + String(repeating: " + 1", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ x" + String(repeating: "|trim", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ x" + String(repeating: ".a", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ " + String(repeating: "not ", count: 50_000) + "x }}", "nests too deeply")
        assertBudgetError("{{ " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError("{{ 1" + String(repeating: " if x", count: 50_000) + " }}", "nests too deeply")
        assertBudgetError(String(repeating: "{% for x in y %}", count: 50_000), "nests too deeply")
    }

    func testEndlessLoopsAndExplodingValuesStopQuickly() {
        assertBudgetError("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "evaluation steps")
        assertBudgetError("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
                          "more than 16777216 bytes")
        assertBudgetError("{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
                          "evaluation steps")  // copying the doubling list costs steps before it gets too long
        assertBudgetError("{{ [0] * 2000000 }}", "repetition result too large")
        assertBudgetError("{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}", "writes more than")
        assertBudgetError("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}", "nests more than")
        assertBudgetError("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recurses too deeply")
        assertBudgetError("{{ ([('x' * 1000000)] * 100000) | join }}", "larger than")
        assertBudgetError("{{ ([('x' * 1000000)] * 100000) | tojson }}", "longer than")
        assertBudgetError("{{ ([('x' * 1000000)] * 100000) }}", "more than 16777216 bytes")
        assertBudgetError("{{ ('x' * 1000000).replace('', 'yyyyyyyyyyyyyyyyyyyy') }}", "more than 16777216 bytes")
        assertBudgetError("{{ 'a\\nb' | indent(100000000) }}", "too large")
    }

    func testSelfReferencesPrintWithoutRecursing() throws {
        let template = try ChatTemplate(source: "{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}")
        XCTAssertTrue(try template.render(contextJSON: "{}").contains("..."))
    }

    func testEmptyRenderIsReturnedAsIs() throws {
        XCTAssertEqual(try ChatTemplate(source: "{% if false %}x{% endif %}").render(contextJSON: "{}"), "")
    }

    func testDeepContextValuesAreRefused() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        XCTAssertThrowsError(try ChatTemplate(source: "{{ x }}").render(contextJSON: #"{"x": \#(deep)}"#)) { error in
            XCTAssertTrue("\(error)".contains("nests more than"), "\(error)")
        }
        var nested: Any = "leaf"
        for _ in 0..<300 { nested = [nested] }
        XCTAssertThrowsError(try ChatTemplate(source: "{{ messages }}").render(
            messages: [["content": nested]], addGenerationPrompt: false, bosToken: nil, eosToken: nil))
    }

    /// The shared real templates on a long conversation with tools use far less than every budget.
    func testRealTemplatesStayFarBelowEveryBudget() throws {
        let tool: [String: Any] = ["type": "function", "function": [
            "name": "get_weather", "description": "Weather in a city",
            "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]]]
        var messages: [[String: Any]] = [["role": "system", "content": "You are terse."]]
        for turn in 0..<50 {
            messages.append(["role": "user", "content": "Question \(turn): what is the weather in Paris? " + String(repeating: "Details. ", count: 20)])
            messages.append(["role": "assistant", "content": "", "tool_calls": [["type": "function", "function": [
                "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"]]]])
            messages.append(["role": "tool", "content": "{\"temperature\": 21}"])
            messages.append(["role": "assistant", "content": "<think>easy</think>It is 21 degrees in Paris."])
        }
        let context: [String: Any] = ["messages": messages, "tools": [tool, tool, tool], "add_generation_prompt": true,
                                      "bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"]
        let contextJSON = String(decoding: try JSONSerialization.data(withJSONObject: context), as: UTF8.self)
        let budget = TemplateBudget.default
        for name in ["deepseek-v2", "deepseek-v3", "chatml"] {
            guard let source = SharedData.text("tokenizer/templates/\(name).jinja") else { return }
            let template = try ChatTemplate(source: source, name: name)
            let usage = try template.usage(contextJSON: contextJSON)
            let output = try template.render(contextJSON: contextJSON)
            XCTAssertGreaterThan(output.utf8.count, 10_000, name)
            XCTAssertEqual(usage.outputBytes, output.utf8.count, name)
            // 201 messages use under 5% of the steps, 1% of the output and 10% of the depth.
            XCTAssertLessThan(usage.steps * 20, budget.maxSteps, "\(name): \(usage)")
            XCTAssertLessThan(usage.outputBytes * 100, budget.maxOutputBytes, "\(name): \(usage)")
            XCTAssertLessThan(usage.depth * 10, budget.maxDepth, "\(name): \(usage)")
            print("\(name): \(messages.count) messages, \(usage.steps) steps, \(usage.outputBytes) bytes, depth \(usage.depth)")
        }
    }

    /// The evaluator at its deepest (maximum expression depth inside macros) stays within a small stack.
    func testMaximumNestingRendersOrFailsCleanly() throws {
        let nested = String(repeating: "(", count: 90) + "1" + String(repeating: ")", count: 90)
        var source = "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{{ \(nested) }}{% endmacro %}{{ f(60) }}"
        XCTAssertNoThrow(try ChatTemplate(source: source).render(contextJSON: "{}"))
        source = "{% macro f(n) %}{{ " + String(repeating: "[", count: 99) + "f(n)" + String(repeating: "]", count: 99) + " }}{% endmacro %}{{ f(1) }}"
        XCTAssertThrowsError(try ChatTemplate(source: source).render(contextJSON: "{}"))
    }
}
