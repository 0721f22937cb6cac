import SeekTemplate
import XCTest

/// Bad templates fail with one clear line naming the template line; nothing traps.
final class ErrorTests: XCTestCase {
    func testSyntaxErrorsNameTheLine() {
        assertFails("a\n{% for x in nums %}\n{{ x }}", "'for' block is never closed: expected '{% endfor %}'", templateLine: 2)
        assertFails("ok\n\n{% endfor %}", "unexpected tag 'endfor'", templateLine: 3)
        assertFails("{% if t %}\n{% endfor %}", "unexpected tag 'endfor'", templateLine: 2)
        assertFails("text\n{{ x ", "unclosed '{{': missing '}}'", templateLine: 2)
        assertFails("{% if t", "unclosed '{%': missing '%}'", templateLine: 1)
        assertFails("{# never closed", "unclosed comment", templateLine: 1)
        assertFails("x\n{{ 'open }}", "unterminated string", templateLine: 2)
        assertFails("{{ 1 + }}", "expected an expression", templateLine: 1)
        assertFails("{{ (1 + 2 }}", "expected ')'", templateLine: 1)
        assertFails("{{ a b }}", "expected '}}'", templateLine: 1)
        assertFails("{{ 1 ; 2 }}", "unexpected character ';'", templateLine: 1)
        assertFails("{% frobnicate %}", "unknown tag 'frobnicate'", templateLine: 1)
        assertFails("{% for 1 in nums %}{% endfor %}", "expected a name", templateLine: 1)
        assertFails("{% if %}{% endif %}", "expected an expression", templateLine: 1)
        assertFails("{{ ] }}", "unexpected ']'", templateLine: 1)
    }

    func testHostileTemplatesFailInsteadOfCrashing() {
        assertFails("{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}", "nests too deeply", templateLine: 1)
        assertFails(String(repeating: "{% if true %}", count: 5000), "nests too deeply", templateLine: 1)
        assertFails("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recurses too deeply", templateLine: 1)
        assertFails("{{ 'x' * 100000000 }}", "too large", templateLine: 1)
    }

    func testDescriptionIsOneLineWithTheLineNumber() {
        XCTAssertThrowsError(try ChatTemplate(source: "a\nb\n{% endfor %}")) { error in
            XCTAssertEqual("\(error)", "chat template line 3: unexpected tag 'endfor'")
        }
    }

    func testRuntimeErrorsNameTheLine() {
        assertFails("{{ x }}\n{{ unknown_var | frobnicate }}", "unknown filter 'frobnicate'", templateLine: 2)
        assertFails("{{ 1 is frobnicated }}", "unknown test 'frobnicated'", templateLine: 1)
        assertFails("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str", templateLine: 1)
        assertFails("{{ 1 / 0 }}", "division by zero", templateLine: 1)
        assertFails("{{ 5 is divisibleby 0 }}", "divisibleby", templateLine: 1)
        assertFails("{{ 1 in 5 }}", "argument of type 'int' is not iterable", templateLine: 1)
        assertFails("{% for a, b in nums %}{% endfor %}", "cannot unpack", templateLine: 1)
        assertFails("{{ range(1000000) | length }}", "range too big", templateLine: 1)
        assertFails("{{ 'abc'.append('x') }}", "'str object' has no attribute 'append'", templateLine: 1)
        assertFails("{% set x = 1 %}\n{% set x.y = 2 %}", "not a namespace", templateLine: 2)
        assertFails("{{ n() }}", "'int' object is not callable", templateLine: 1)
        assertFails("{{ 9223372036854775807 + 1 }}", "integer overflow", templateLine: 1)
    }

    func testRaiseExceptionCarriesTheTemplateMessage() {
        let source = """
        {% for m in msgs %}
        {% if m.role == 'assistant' %}
        {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
        {% endif %}
        {% endfor %}
        """
        XCTAssertThrowsError(try render(source)) { error in
            let templateError = error as? TemplateError
            XCTAssertEqual(templateError?.message, "Conversation roles must alternate user/assistant/user/assistant/...")
            XCTAssertEqual(templateError?.line, 3)
        }
    }
}
