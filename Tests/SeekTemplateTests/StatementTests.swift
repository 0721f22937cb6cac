import SeekTemplate
import XCTest

/// if/elif/else, for (loop variables, else, unpacking, filters, break/continue, scoping), set (names,
/// namespace attributes, blocks), macros, filter blocks, comments.
final class StatementTests: XCTestCase {
    func testStatementsMatchJinja() {
        assertRenders([
        (#"{% if n > 10 %}big{% elif n > 5 %}mid{% else %}small{% endif %}"#, "mid"),
        (#"{% if z %}a{% elif e %}b{% else %}c{% endif %}"#, "c"),
        (#"{% for m in msgs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }} {% endfor %}"#, "1/0/3/2/3/True/False 2/1/2/1/3/False/False 3/2/1/0/3/False/True "),
        (#"{% for x in nums %}{{ loop.previtem }}>{{ x }}<{{ loop.nextitem }} {% endfor %}"#, ">3<1 3>1<2 1>2< "),
        (#"{% for x in nums %}{{ loop.cycle('odd', 'even') }} {% endfor %}"#, "odd even odd "),
        (#"{% for x in [] %}never{% else %}empty{% endfor %}"#, "empty"),
        (#"{% for x in nums if x > 1 %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}"#, "3:1/2 2:2/2 "),
        (#"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"#, "a=1;b=[1, 2];"),
        (#"{% for k in d %}{{ k }}{% endfor %}"#, "ab"),
        (#"{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}"#, "3 7 "),
        (#"{% for c in 'abc' %}{{ c }}-{% endfor %}"#, "a-b-c-"),
        (#"{% for x in nums %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}"#, "3"),
        (#"{% for x in nums %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}"#, "32"),
        (#"{% for row in [[1, 2], [3]] %}{% for x in row %}{{ loop.index }}{% endfor %}|{{ loop.index }} {% endfor %}"#, "12|1 1|2 "),
        (#"{% set x = 1 %}{% for i in nums %}{% set x = x + i %}{{ x }} {% endfor %}{{ x }}"#, "4 2 3 1"),
        (#"{% set ns = namespace(total=0, seen=false) %}{% for i in nums %}{% set ns.total = ns.total + i %}{% endfor %}{% set ns.seen = true %}{{ ns.total }} {{ ns.seen }}"#, "6 True"),
        (#"{% set a, b = 1, 2 %}{{ a }}{{ b }}"#, "12"),
        (#"{% set greeting %}Hello {{ 'World' }}{% endset %}[{{ greeting }}]"#, "[Hello World]"),
        (#"{% set shout | upper %}quiet{% endset %}{{ shout }}"#, "QUIET"),
        (#"{% macro tag(name, body='empty') %}<{{ name }}>{{ body }}</{{ name }}>{% endmacro %}{{ tag('b') }}{{ tag('i', 'x') }}{{ tag('u', body='y') }}"#, "<b>empty</b><i>x</i><u>y</u>"),
        (#"{% filter upper %}shout {{ 'this' }}{% endfilter %}"#, "SHOUT THIS"),
        (#"a{# a comment {{ with tags }} #}b"#, "ab"),
        (#"{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{ add_generation_prompt }}"#, "False"),
        ])
    }

    func testGenerationTagOnlyRendersItsBody() throws {
        XCTAssertEqual(try render("{% generation %}tracked{% endgeneration %}"), "tracked")
    }
}
