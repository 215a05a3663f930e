package org.dcpserve.core.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.dcpserve.core.chat.Conversations.message;

/**
 * Small templates, each on one corner of the language, that the reference renderer and ours must render alike
 * (or both refuse): the semantics the chat templates lean on, and the JavaScript-inherited quirks of the reference.
 */
final class JinjaCases {

    /** {@code unsupported}: a construct the reference renders and we refuse (with its name and position). */
    record Case(String label, String template, Map<String, Object> variables, boolean unsupported) {
    }

    private JinjaCases() {
    }

    static List<Case> all() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("b", List.of(1, 2.5, "é\"\n\t\u0001\u007f", "\ud83d\udc4d", Map.of()));
        data.put("a", new LinkedHashMap<>(Map.of("c", List.of())));
        data.put("n", null);
        data.put("t", true);
        Map<String, Object> chat = new LinkedHashMap<>();
        chat.put("messages", List.of(message("system", "S"), message("user", "U1"), message("assistant", "A1"),
                message("user", "U2")));
        Map<String, Object> named = new LinkedHashMap<>();
        named.put("messages", List.of(Map.of("role", "user", "name", "ann"), Map.of("role", "user")));
        return List.of(
                c("numbers", "{{ 1 }}|{{ 1.0 }}|{{ -0.0 }}|{{ 2.50 }}|{{ 0.1 + 0.2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % -3 }}"
                        + "|{{ -7 % 3 }}|{{ 7 / 2 }}|{{ 4 / 2 }}|{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2 ** 3 ** 2 }}|{{ -2 ** 2 }}"
                        + "|{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 10 - 2 - 3 }}|{{ 1.5 * 2 }}|{{ 7.5 // 2 }}|{{ 1 / 3 }}"
                        + "|{{ 100000000000000000000.0 }}|{{ 123456789 * 1000000 }}|{{ 0.000001 * 0.1 }}|{{ 5 / 0 }}"),
                c("printing", "{{ true }}|{{ false }}|{{ none }}|{{ nothing }}|{{ [1, 'a', none, true, 2.0] }}|{{ {'a': 1, 'b': [2]} }}"
                        + "|{{ [nothing] }}|{{ 'x' }}{{ \"y\" 'z' }}|{{ '\\u00e9\\x41\\t|' }}"),
                c("printing a tuple", "{{ (1, 2) }}"),
                c("tuples", "{{ (1, 2) is iterable }}{{ (1, 2)|length }}{{ (1, 2)[0] }}{{ 'x' ~ (1, 2) }}"
                        + "{% for a, b in [[3, 4]] %}{{ a }}{{ b }}{% endfor %}{{ [(1, 2)]|length }}"),
                c("unpacking a tuple in a loop", "{% for a, b in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}"),
                c("concatenation", "{{ 'a' + 1 }}|{{ 1 + 'a' }}|{{ 'a' + 1.0 }}|{{ 'a' ~ 1.5 ~ true }}|{{ 'x' ~ nothing ~ 'y' }}"
                        + "|{{ 'l' ~ [1, 'b', 2.0] }}|{{ 'd' + {'k': 1} }}|{{ [1] + [2, 3] }}|{{ 'a' + true }}"),
                c("null in concatenation", "{{ 'a' ~ none }}"),
                c("undefined plus", "{{ nothing + 'a' }}"),
                c("comparisons", "{{ 1 == 1.0 }}{{ '1' == 1 }}{{ true == 1 }}{{ none == nothing }}{{ [1] == [1] }}{{ 'a' != 'b' }}"
                        + "{{ 2 < 3 }}{{ 2.5 >= 3 }}{{ '' == 0 }}{{ false == '0' }}{{ [1, 2] == '1,2' }}"),
                c("string comparison", "{{ 'a' < 'b' }}"),
                c("logic", "{{ not true or true }}|{{ 0 or 'x' }}|{{ [] and 1 }}|{{ 'a' and 'b' }}|{{ not [] }}|{{ not {} }}"
                        + "|{{ 'yes' if 'a' in 'cat' else 'no' }}|{{ 'x' if false }}|{{ 1 if 0 else 2 if 0 else 3 }}"),
                c("membership", "{{ 2 in [1, 2] }}{{ 2.0 in [1, 2] }}{{ 'k' in {'k': 1} }}{{ 'z' not in ['a'] }}{{ 'a' in nothing }}"
                        + "{{ 'a' not in nothing }}{{ 'ell' in 'hello' }}"),
                c("string methods", "{{ '  x y  '.strip() }}|{{ '\\n\\nx\\n'.lstrip('\\n') }}|{{ 'x  \\n'.rstrip('\\n') }}"
                        + "|{{ 'a,b,,c'.split(',') }}|{{ ' a b  c '.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a b c'.split(none, 1) }}"
                        + "|{{ 'hello wORLD_x y2k'.title() }}|{{ 'hELLO'.capitalize() }}|{{ 'abc'.upper() }}|{{ 'ÀB'.lower() }}"
                        + "|{{ 'xa'.startswith(('a', 'x')) }}|{{ 'xa'.endswith('a') }}|{{ 'aaa'.replace('a', 'b', 2) }}"
                        + "|{{ 'abc'.replace('', '-') }}|{{ 'abc'.length }}|{{ 'ß'.upper() }}"),
                withData("subscripts", "{{ [1, 2, 3, 4, 5][::-1] }}|{{ [1, 2, 3, 4, 5][1:3] }}|{{ [1, 2, 3, 4, 5][-2:] }}"
                        + "|{{ 'héllo👍'[::-1] }}|{{ [1, 2, 3][::2] }}|{{ [1, 2, 3][5:] }}|{{ 'abc'[-1] }}|{{ [1, 2, 3][-1] }}"
                        + "|{{ [1, 2, 3][7] }}|{{ [1, 2, 3, 4][:-1:-1] }}|{{ [1, 2, 3, 4][3:0:-2] }}|{{ 'abc'[1:] }}"
                        + "|{{ data.a.c }}|{{ data['b'][1] }}|{{ data.b.0 }}|{{ data.missing }}|{{ data.missing.deeper }}", data),
                c("an index into undefined", "{{ nothing[0] }}"),
                c("an index into a number", "{{ 1.5.0 }}"),
                withData("tojson", "{{ data|tojson }}|{{ data|tojson(indent=2) }}|{{ data|tojson(separators=(',', ':')) }}"
                        + "|{{ data|tojson(ensure_ascii=true) }}|{{ data|tojson(sort_keys=true) }}|{{ 'a\\u2028b'|tojson }}"
                        + "|{{ [] |tojson(indent=4) }}|{{ 2.0|tojson }}|{{ nothing|tojson }}", data),
                c("filters", "{{ ' x '|trim }}|{{ [3, 1, 2]|sort }}|{{ ['b', 'A', 'c']|sort }}|{{ [1, 2]|length }}|{{ 'abc'|length }}"
                        + "|{{ {'a': 1}|length }}|{{ ['a', 'b']|join(', ') }}|{{ [1, 2.0, none, [3, 4]]|join }}|{{ nothing|default('d') }}"
                        + "|{{ ''|default('d', true) }}|{{ ''|default('d') }}|{{ [1, 2, 3]|first }}|{{ [1, 2, 3]|last }}"
                        + "|{{ 'aXbX'|replace('X', 'y') }}|{{ {'a': 1, 'b': 2}|items }}|{{ [1, 1, 2, 1.0]|unique }}|{{ [1, 2]|reverse }}"
                        + "|{{ '42abc'|int }}|{{ 'x'|int }}|{{ 'x'|int(7) }}|{{ '3.5'|float }}|{{ 3.7|int }}|{{ -3|abs }}|{{ 5|string }}"
                        + "|{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent('> ', blank=true) }}"
                        + "|{{ 'hi there'|title }}|{{ 'ab'|upper }}|{{ 'AB'|lower }}|{{ 'ab'|capitalize }}|{{ 'héllo'|join('.') }}"
                        + "|{{ [1, 2]|list }}|{{ true|int }}|{{ true|string }}|{{ 'x'|safe }}|{{ {'b': 1, 'A': 2}|dictsort }}"),
                c("unknown filter", "{{ 'x'|frobnicate }}"),
                c("default without arguments", "{{ 'x'|default }}"),
                withData("attribute filters", "{{ messages|selectattr('role', 'equalto', 'user')|list|length }}"
                        + "|{{ messages|rejectattr('role', 'equalto', 'user')|map(attribute='content')|join('/') }}"
                        + "|{{ messages|map(attribute='missing', default='-')|list }}|{{ messages|selectattr('content')|list|length }}"
                        + "|{{ messages|selectattr('role', 'eq', 'system')|first }}", chat),
                withData("selectattr of a missing attribute", "{{ messages|selectattr('name')|list }}", named),
                withData("tests", "{{ data is defined }}{{ other is defined }}{{ none is none }}{{ 'a' is string }}{{ {} is mapping }}"
                        + "{{ [] is iterable }}{{ 'a' is iterable }}{{ {} is iterable }}{{ 1 is number }}{{ 1.5 is integer }}"
                        + "{{ 2 is even }}{{ 3 is odd }}{{ true is boolean }}{{ 'abc' is lower }}{{ range is callable }}"
                        + "{{ data.n is none }}{{ data.n is not none }}{{ data.t is true }}{{ data.t is false }}{{ nothing is undefined }}"
                        + "{{ 'A' is upper }}{{ [] is sequence }}{{ 1 is not string }}", data),
                c("loops", "{% for x in [1, 2, 3] %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/"
                        + "{{ loop.first }}/{{ loop.last }}/{{ loop.length }}/{{ loop.previtem }}/{{ loop.nextitem }};{% endfor %}"
                        + "|{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.index }}{% else %}none{% endfor %}"
                        + "|{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"
                        + "|{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }},{% endfor %}"
                        + "|{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}"
                        + "|{% for a in [1, 2] %}{% for b in [3, 4] %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}{% endfor %}"),
                c("loop over a string", "{% for ch in 'abc' %}{{ ch }}{% endfor %}"),
                c("break and continue", "{% for x in range(10) %}{% if x == 5 %}{% break %}{% endif %}"
                        + "{% if x is odd %}{% continue %}{% endif %}{{ x }}{% endfor %}|{% for x in [1, 2] %}a{% continue %}{% endfor %}"
                        + "|{% for x in [1] %}{% break %}{% else %}else{% endfor %}|{{ range(3) }}{{ range(1, 7, 2) }}{{ range(3, 0, -1) }}"),
                withData("namespace and scoping", "{% set ns = namespace(count=0, found=false) %}{% for m in messages %}"
                        + "{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% set ns.found = true %}{% endif %}{% endfor %}"
                        + "{{ ns.count }} {{ ns.found }} {{ ns }}|{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}"
                        + "|{% if true %}{% set y = 3 %}{% endif %}{{ y }}|{% set ns2 = namespace({'a': 1}, b=2) %}{{ ns2.a }}{{ ns2.b }}"
                        + "|{% set a, b = 1, 2 %}{{ a }}{{ b }}|{% set block %}  text {{ a }}  {% endset %}[{{ block }}]", chat),
                c("assigning a dict attribute", "{% set d = {} %}{% set d.x = 1 %}"),
                c("macros", "{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} "
                        + "{{ greet('Bob', '?') }} {{ greet(name='Cy', punct='.') }} {{ greet() }}|{% macro outer() %}[{{ greet('in') }}]{% endmacro %}{{ outer() }}"),
                withData("dict methods", "{{ data.get('t') }} {{ data.get('zz', 'def') }} {{ data.get('zz') }} {{ data.a.keys() }} "
                        + "{{ data.a.values() }} {{ data.a.items() }} {{ data['a'] }} {{ data.items is defined }}", data),
                c("white space control", "  {%- if true -%}  \n  x  \n  {%- endif -%}  y\n  {% if true %}\n    z\n  {% endif %}\n"
                        + "{# comment #}\nw {#- c2 -#}  v\n  {{ 'e' }}  \n\t{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\nend\n"),
                c("generation markers", "a {% generation %}b{% endgeneration %} c  {%- generation -%}  d{% endgeneration %}"),
                c("raise_exception", "before{{ raise_exception('Boom: ' ~ 42) }}after"),
                c("unknown statement", "{% include 'x.jinja' %}"),
                c("unclosed if", "{% if true %}x"),
                new Case("call block", "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}", Map.of(), true),
                c("calling a non-function", "{{ 'abc'.nope() }}"),
                withData("signs and brackets", "{{ -data.one }}|{{ - 1 }}|{{ data.one-1 }}|{{ [-1, +2] }}|{{ 3 - -1 }}|{{ 2*-1 }}"
                        + "|{{ {'a': {'b': 1}} }}|{{ {'a': {'b': {'c': 1}}}['a'] }}|{{ {'a': 1,} }}|{{ [1, 2,] }}|{{ (1) }}",
                        Map.of("one", 1)),
                withData("precedence", "{{ not data.x is defined }}|{{ data.l|length > 1 }}|{{ 'a' if data.x else 'b' ~ 'c' }}"
                        + "|{{ data.l|length - 1 }}|{{ 1 + 2 == 3 and not 0 }}|{{ 'a' in 'abc' == true }}"
                        + "|{{ 2 ** 2 * 3 }}|{{ data.l[1:]|join(',') }}|{{ data.l|first|string ~ 'x' }}",
                        Map.of("l", List.of(1, 2, 3))),
                c("a sign binds tighter than a filter", "{{ -[1, 2]|length }}"),
                c("a test binds tighter than *", "{{ 4 * 4 is even }}"),
                c("string formatting with %", "{{ '%s!' % 'hi' }}"),
                c("string repetition", "{{ 'ab' * 2 }}"),
                c("none as a slice bound", "{{ [1, 2][none:] }}"),
                c("a zero slice step", "{{ [1, 2, 3][::0] }}|{{ 'abc'[::0] }}"),
                c("multi-line tags", "{%- if true\n   and not false -%}\n  yes\n{%- endif %}\n{{\n  'e'\n}}"),
                c("a tag-like string", "{% set x = '{{ not a tag }} %}' %}{{ x }}|{{ '{% raw %}' }}"),
                c("a statement at the very end", "x\n{% if true %}y{% endif %}\n\n"),
                c("a keyword argument to split", "{{ 'a,b'.split(sep=',') }}"),
                c("a keyword argument to get", "{{ {'a': 1}.get(key='a') }}"),
                c("keyword arguments that methods ignore", "{{ 'aXa'.replace('a', 'b', count=1) }}{{ 'A'.lower(x=1) }}"));
    }

    private static Case c(String label, String template) {
        return new Case(label, template, Map.of(), false);
    }

    private static Case withData(String label, String template, Map<String, Object> data) {
        Map<String, Object> variables = data.containsKey("messages") ? data : Map.of("data", data);
        return new Case(label, template, variables, false);
    }
}
