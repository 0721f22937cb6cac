import SeekTemplate
import XCTest

/// Filters, with transformers' `tojson` (json.dumps, ensure_ascii=False) in particular.
final class FilterTests: XCTestCase {
    func testFiltersMatchJinja() {
        assertRenders([
        (#"[{{ s | trim }}] [{{ 'xxhixx' | trim('x') }}] {{ msgs | length }} {{ 'héllo' | length }} {{ d | count }} {{ undefined_var | length }}"#, "[Hi There] [hi] 3 5 2 0"),
        (#"{{ d | tojson }} {{ tools | tojson }}"#, "{\"a\": 1, \"b\": [1, 2]} [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city, \\\"now\\\"\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}]"),
        (#"{{ d | tojson(indent=2) }}"#, "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}"),
        (#"{{ tools[0].function.parameters | tojson(indent=4) }}"#, "{\n    \"type\": \"object\",\n    \"properties\": {\n        \"city\": {\n            \"type\": \"string\"\n        }\n    },\n    \"required\": [\n        \"city\"\n    ]\n}"),
        (#"{{ 'é "q" \\ \n\t\u0001 😀' | tojson }} {{ 'é😀' | tojson(ensure_ascii=true) }} {{ [1.5, 1e20, 0.0001, none, true] | tojson }}"#, "\"é \\\"q\\\" \\\\ \\n\\t\\u0001 😀\" \"\\u00e9\\ud83d\\ude00\" [1.5, 1e+20, 0.0001, null, true]"),
        (#"{{ d | tojson(separators=(',', ':')) }} {{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ [] | tojson(indent=2) }} {{ {'x': {}} | tojson(indent=2) }}"#, "{\"a\":1,\"b\":[1,2]} {\"a\": 2, \"b\": 1} [] {\n  \"x\": {}\n}"),
        (#"{{ undefined_var | default('dflt') }} {{ z | default('dflt') }} {{ e | default('dflt') }} {{ e | default('dflt', true) }} {{ undefined_var | d('short') }} {{ n | default(0) }}"#, "dflt None  dflt short 7"),
        (#"{{ 'Hi' | upper }} {{ 'Hi' | lower }} {{ 'hello there' | capitalize }} {{ 'hello there-you (see)' | title }} {{ 'a b' | replace(' ', '_') }} {{ 'aaa' | replace('a', 'b', 2) }}"#, "HI hi Hello there Hello There-You (See) a_b bba"),
        (#"{{ nums | join(', ') }} {{ nums | join }} {{ msgs | join('|', attribute='role') }} {{ nums | first }} {{ nums | last }} {{ 'abc' | first }} {{ 'abc' | last }}"#, "3, 1, 2 312 system|user|assistant 3 2 a c"),
        (#"{{ 'ab' | list }} {{ d | list }} {{ 42 | string }} {{ z | string }} {{ t | string }}"#, "['a', 'b'] ['a', 'b'] 42 None True"),
        (#"{{ '42' | int + 1 }} {{ '3.9' | int }} {{ 'x' | int }} {{ 'x' | int(-1) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 2 | float }} {{ 'no' | float }} {{ true | int }}"#, "43 3 0 -1 3 2.5 2.0 0.0 1"),
        (#"{{ msgs | map(attribute='role') | list }} {{ ['a', 'b'] | map('upper') | join }} {{ [0, 1, '', 'x', none] | select | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ [1, 5, 10] | select('gt', 3) | list }}"#, "['system', 'user', 'assistant'] AB [1, 'x'] [1, 3] [1, 3] [5, 10]"),
        (#"{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ msgs | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join(',') }}"#, "[' hi '] system,assistant"),
        (#"{{ nums | sort }} {{ nums | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort }} {{ [1, 2, 1] | unique | list }} {{ nums | reverse | list }} {{ 'abc' | reverse }} {{ nums | sum }} {{ nums | min }} {{ nums | max }} {{ 2.567 | round(2) }} {{ 2.5 | round }}"#, "[1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] [1, 2] [2, 1, 3] cba 6 1 3 2.57 2.0"),
        (#"{{ 'x' | safe }} {{ '<a href="x">&</a>' | escape }} {{ 'one two  three' | wordcount }}"#, "x &lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt; 3"),
        (#"{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}"#, "a\n  b\n\n  c|  a\n  b"),
        ])
    }
}
