import SeekTemplate
import XCTest

/// `-` strips, trim_blocks, lstrip_blocks, `+` opt-outs, comments, raw and the dropped final newline.
final class WhitespaceTests: XCTestCase {
    func testWhitespaceControlMatchesJinja() {
        assertRenders([
        (#"a  {{- ' b ' -}}  c"#, "a b c"),
        (#"a  {%- if true -%}  b  {%- endif -%}  c"#, "abc"),
        (#"{% if true %}\#nyes\#n{% endif %}\#ndone"#, "yes\ndone"),
        (#"  {% if true %}\#n  indented\#n  {% endif %}\#nend"#, "  indented\nend"),
        (#"x  {% if true %}y{% endif %}"#, "x  y"),
        (#"  {{ 'var' }}\#nnext"#, "  var\nnext"),
        (#"{# comment #}\#nafter"#, "after"),
        (#"a {#- comment -#} b"#, "ab"),
        (#"{% if true +%}\#nkept newline{% endif %}"#, "\nkept newline"),
        (#"  {%+ if true %}kept indent{% endif %}"#, "  kept indent"),
        (#"{% for m in msgs %}\#n  {{ m.role }}\#n{% endfor %}"#, "  system\n  user\n  assistant\n"),
        (#"line\#n{% if t %}\#n\#ttabbed\#n{% endif %}"#, "line\n\ttabbed\n"),
        (#"{% raw %}{{ not evaluated }}{% endraw %}"#, "{{ not evaluated }}"),
        (#"trailing newline dropped"#, "trailing newline dropped"),
        (#"{%- for x in nums -%}\#n{{ x }},\#n{%- endfor %}"#, "3,1,2,"),
        ])
    }

    func testOneTrailingNewlineIsDropped() throws {
        XCTAssertEqual(try render("a\n"), "a")
        XCTAssertEqual(try render("a\n\n"), "a\n")
        XCTAssertEqual(try render("a\r\nb"), "a\nb")
    }
}
