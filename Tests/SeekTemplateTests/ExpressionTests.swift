import SeekTemplate
import XCTest

/// Literals and escapes, arithmetic, concatenation, `in`, comparisons, logic, inline if, indexing,
/// attributes and slices, plus the Python methods and the tests (`is …`) templates use.
final class ExpressionTests: XCTestCase {
    func testExpressionsMatchJinja() {
        assertRenders([
        (#"{{ 'it\'s' }} {{ "say \"hi\"" }} {{ 'tab\there' }} {{ 'nl\nx' }} {{ '\u00e9\x41' }} {{ 'back\\slash' }} {{ 'keep\d' }}"#, "it's say \"hi\" tab\there nl\nx éA back\\slash keep\\d"),
        (#"{{ 'adj' "acent" }}"#, "adjacent"),
        (#"{{ 42 }} {{ -7 }} {{ 3.14 }} {{ 1e3 }} {{ 1_000 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e-5 }} {{ 100.0 }}"#, "42 -7 3.14 1000.0 1000 0.30000000000000004 1e+16 1e-05 100.0"),
        (#"{{ [1, 'two', none, true, 2.5] }} {{ {'k': 'v', 'n': [1]} }} {{ [] }} {{ {} }}"#, "[1, 'two', None, True, 2.5] {'k': 'v', 'n': [1]} [] {}"),
        (#"{{ 1 + 2 }} {{ 7 - 10 }} {{ 3 * 4 }} {{ 7 / 2 }} {{ 8 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 8 }} {{ 1 + 2.5 }} {{ 7.5 // 2 }}"#, "3 -3 12 3.5 4.0 3 -4 1 2 256 3.5 3.0"),
        (#"{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ [1] + [2, 3] }} {{ 'n=' ~ n ~ '!' }} {{ 1 ~ 2 }} {{ z ~ '|' }}"#, "abcd ababab [1, 2, 3] n=7! 12 None|"),
        (#"{{ 2 + 3 * 4 }} {{ (2 + 3) * 4 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 2 ** 3 ** 2 }} {{ not true or true }} {{ 1 + 1 == 2 }}"#, "14 20 4 5 64 True True"),
        (#"{{ 'a' in 'cat' }} {{ 'x' not in 'cat' }} {{ 2 in nums }} {{ 'a' in d }} {{ 'zz' in d }} {{ 'role' in msgs[0] }} {{ 'x' in undefined_var }}"#, "True True True True False True False"),
        (#"{{ 1 < 2 }} {{ 2 <= 2 }} {{ 3 > 4 }} {{ 'b' >= 'a' }} {{ 1 == 1.0 }} {{ 1 != 2 }} {{ [1, 2] == [1, 2] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'B' }}"#, "True True False True True True True True False False"),
        (#"{{ true and 'x' }} {{ false and 'x' }} {{ '' or 'fallback' }} {{ 'first' or 'second' }} {{ not e }} {{ not not n }}"#, "x False fallback first True True"),
        (#"{{ 'yes' if t else 'no' }} {{ 'yes' if z else 'no' }} [{{ 'only' if false }}] {{ 'a' if false else 'b' if true else 'c' }}"#, "yes no [] b"),
        (#"{{ msgs[1]['role'] }} {{ msgs[1].content }} {{ d.b[1] }} {{ d['b'][-1] }} {{ nums.0 }} {{ s[2] }} {{ msgs[-1].role }}"#, "user  hi  2 2 3 H assistant"),
        (#"{{ nums[::-1] }} {{ nums[1:] }} {{ nums[:2] }} {{ nums[::2] }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[-2:] }} {{ 'abcdef'[::-1] }} {{ nums[5:] }} {{ 'abcdef'[4:1:-1] }}"#, "[2, 1, 3] [1, 2] [3, 1] [3, 2] bcd ef fedcba [] edc"),
        (#"{{ 'a' + nums | length | string }} {{ -3 | abs }}"#, "a3 3"),
        (#"{% set t2 = tools %}{{ t2[0].function.name }} {{ t2[0]['function']['parameters']['required'][0] }}"#, "get_weather city"),
        ])
    }

    func testMethodsMatchPython() {
        assertRenders([
        (#"{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a-b-c'.split('-', 1) }} {{ msgs[2].content.split('</think>')[-1] }} {{ 'a-b-c'.rsplit('-', 1) }}"#, "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b-c'] ok ['a-b', 'c']"),
        (#"[{{ s.strip() }}] [{{ s.lstrip() }}] [{{ s.rstrip() }}] [{{ 'xxhixx'.strip('x') }}]"#, "[Hi There] [Hi There  ] [  Hi There] [hi]"),
        (#"{{ s.strip().startswith('Hi') }} {{ 'file.py'.endswith('.py') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('b') }}"#, "True True True False"),
        (#"{{ 'MiXed'.upper() }} {{ 'MiXed'.lower() }} {{ 'hello wORLD-x'.title() }} {{ 'hELLO'.capitalize() }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'a.b'.replace('.', '::') }}"#, "MIXED mixed Hello World-X Hello bba a::b"),
        (#"{{ 'abcabc'.find('c') }} {{ 'abc'.find('z') }} {{ 'abcabc'.count('bc') }} {{ ', '.join(['x', 'y']) }} {{ 'a\nb\n'.splitlines() }}"#, "2 -1 2 x, y ['a', 'b']"),
        (#"{% for k, v in d.items() %}{{ k }}{% endfor %} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }}"#, "ab ['a', 'b'] [1, [1, 2]] 1 None dflt"),
        (#"{{ nums.index(2) }} {{ nums.count(3) }}"#, "2 1"),
        ])
    }

    func testTestsAndGlobalsMatchJinja() {
        assertRenders([
        (#"{{ n is defined }} {{ nope is defined }} {{ nope is undefined }} {{ d.zz is defined }} {{ z is none }} {{ n is not none }} {{ 'x' is string }} {{ n is string }} {{ n is number }} {{ f is number }} {{ t is number }}"#, "True False True False True True True False True True True"),
        (#"{{ d is mapping }} {{ nums is mapping }} {{ nums is iterable }} {{ 'x' is iterable }} {{ n is iterable }} {{ nums is sequence }} {{ d is sequence }} {{ t is true }} {{ n is true }} {{ false is false }} {{ z is false }} {{ t is boolean }}"#, "True False True True False True True True False True False True"),
        (#"{{ n is integer }} {{ f is float }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ n is eq 7 }} {{ n is gt 5 }} {{ 'b' is in 'abc' }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ z is sameas none }} {{ range is callable }}"#, "True True True True True False True True True True True True True"),
        (#"{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {{ namespace(a=1).a }} {{ dict(x=1) }}"#, "[0, 1, 2] [1, 2, 3] [10, 7, 4, 1] 1 {'x': 1}"),
        ])
    }
}
