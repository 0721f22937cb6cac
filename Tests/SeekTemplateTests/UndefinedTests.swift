import SeekTemplate
import XCTest

/// jinja2's default Undefined, as transformers' sandbox has it: prints as nothing, is falsy, iterates
/// as empty, has length 0; arithmetic, attribute access, indexing and calls on it are errors.
final class UndefinedTests: XCTestCase {
    func testUndefinedIsQuietWhereJinjaIsQuiet() {
        assertRenders([
        (#"[{{ nope }}] [{{ d.zz }}] [{{ msgs[0].missing }}] [{{ msgs[9] }}] [{% for x in nope %}x{% endfor %}] [{% if nope %}t{% else %}f{% endif %}] [{{ nope ~ 'cat' }}] [{{ nope | length }}] [{{ nope == nope }}] [{{ none.x }}] [{{ nope | default('dflt') }}] [{{ 'a' if nope else 'b' }}] [{{ nope is none }}] [{{ not nope }}] [{{ nope | trim }}] [{{ nope | join(',') }}] [{{ nope | list }}] [{{ d.zz or 'or' }}]"#, "[] [] [] [] [] [f] [cat] [0] [True] [] [dflt] [b] [False] [True] [] [] [[]] [or]"),
        ])
    }

    func testUndefinedIsAnErrorWhereJinjaRaises() {
        assertFails("line one\n{{ nope + 'x' }}", "'nope' is undefined", templateLine: 2)
        assertFails("{{ 'x' + nope }}", "'nope' is undefined", templateLine: 1)
        assertFails("{{ nope.attr }}", "'nope' is undefined", templateLine: 1)
        assertFails("{{ nope['k'] }}", "'nope' is undefined", templateLine: 1)
        assertFails("{{ nope() }}", "'nope' is undefined", templateLine: 1)
        assertFails("{{ d.zz.deeper }}", "'dict object' has no attribute 'zz'", templateLine: 1)
        assertFails("{{ nope | tojson }}", "Object of type Undefined is not JSON serializable", templateLine: 1)
        assertFails("{{ nope < 1 }}", "'nope' is undefined", templateLine: 1)
        assertFails("{{ nope - 1 }}", "'nope' is undefined", templateLine: 1)
    }
}
