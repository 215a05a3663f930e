package org.dcpserve.core.chat.jinja;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The interpreter's semantics, with no reference renderer needed (ChatTemplateReferenceTest has that). */
class JinjaTemplateTest {

    private static String render(String template) {
        return render(template, Map.of());
    }

    private static String render(String template, Map<String, ?> variables) {
        return Template.compile(template).render(variables);
    }

    @Test
    void branchesLoopsAndLoopVariables() {
        assertThat(render("{% if x > 2 %}big{% elif x > 1 %}mid{% else %}small{% endif %}", Map.of("x", 2))).isEqualTo("mid");
        assertThat(render("{% for m in ms %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}"
                + "{{ m }};{% endfor %}", Map.of("ms", List.of("a", "b"))))
                .isEqualTo("01truefalse2a;12falsetrue2b;");
        assertThat(render("{% for x in [1, 2, 3, 4] if x is odd %}{{ x }}{% endfor %}")).isEqualTo("13");
        assertThat(render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}")).isEqualTo("empty");
        assertThat(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}{{ v }}{% endfor %}")).isEqualTo("a1b2");
    }

    @Test
    void aSetInsideALoopStaysThereButANamespaceCarriesOut() {
        assertThat(render("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}")).isEqualTo("1");
        assertThat(render("{% set ns = namespace(last=-1, n=0) %}{% for m in ms %}{% if m == 'u' %}"
                + "{% set ns.last = loop.index0 %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.last }}/{{ ns.n }}",
                Map.of("ms", List.of("u", "a", "u", "a")))).isEqualTo("2/2");
    }

    @Test
    void pythonSlicingAndStringMethodsAsQwen3UsesThem() {
        assertThat(render("{{ [1, 2, 3][::-1] }}|{{ [1, 2, 3][1:] }}|{{ [1, 2, 3][-1] }}|{{ 'a👍b'[::-1] }}"))
                .isEqualTo("[3, 2, 1]|[2, 3]|3|b👍a");
        String content = "<think>\nplan\n</think>\n\nanswer";
        assertThat(render("{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}"
                + "|{{ c.startswith('<think>') }}|{{ c.endswith(('x', 'answer')) }}|{{ '</think>' in c }}", Map.of("c", content)))
                .isEqualTo("answer|plan|true|true|true");
    }

    @Test
    void stripIgnoresItsArgumentAsTheReferenceDoes() {
        // Python would keep the spaces ('\n' only); @huggingface/jinja trims all white space, and we match it.
        assertThat(render("[{{ '\\n  x  \\n'.strip('\\n') }}]")).isEqualTo("[x]");
    }

    @Test
    void printingFollowsTheReference() {
        assertThat(render("{{ true }} {{ 2.0 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ none }}{{ missing }}{{ missing.deeper }}|"))
                .isEqualTo("true 2.0 3.5 3 -1 |");
        assertThat(render("{{ 'a' + 1.0 }} {{ 'x' ~ missing ~ 'y' }} {{ [1, 'b'] }} {{ {'k': none} }}"))
                .isEqualTo("a1 xy [1, \"b\"] {\"k\": null}");
    }

    @Test
    void tojsonWritesPythonSpacingWithJavaScriptEscaping() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "é \"q\"\n\u0001");
        value.put("n", List.of(1, 2.5, true));
        assertThat(render("{{ v|tojson }}", Map.of("v", value)))
                .isEqualTo("{\"name\": \"é \\\"q\\\"\\n\\u0001\", \"n\": [1, 2.5, true]}");
        assertThat(render("{{ v|tojson(indent=2) }}", Map.of("v", value)))
                .isEqualTo("{\n  \"name\": \"é \\\"q\\\"\\n\\u0001\",\n  \"n\": [\n    1,\n    2.5,\n    true\n  ]\n}");
        assertThat(render("{{ 'é'|tojson(ensure_ascii=true) }}")).isEqualTo("\"\\u00e9\"");
    }

    @Test
    void filters() {
        assertThat(render("{{ ' x '|trim }}|{{ 'ab'|upper }}|{{ 'hi you'|title }}|{{ ['a', 'b']|join(', ') }}|{{ x|default('d') }}"
                + "|{{ [1, 2]|first }}{{ [1, 2]|last }}|{{ 'aXa'|replace('a', 'b') }}|{{ 'a\\nb'|indent(2) }}|{{ '7'|int + 1 }}"
                + "|{{ 3|string ~ 'x' }}|{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }}"
                + "|{{ ms|rejectattr('role', 'equalto', 'user')|list|length }}|{{ {'a': 1}|items|list }}",
                Map.of("ms", List.of(Map.of("role", "user", "content", "u"), Map.of("role", "system", "content", "s")))))
                .isEqualTo("x|AB|Hi You|a, b|d|12|bXb|a\n  b|8|3x|[\"u\"]|1|[[\"a\", 1]]");
    }

    @Test
    void tests() {
        assertThat(render("{{ x is defined }}{{ y is defined }}{{ none is none }}{{ 'a' is string }}{{ {} is mapping }}"
                + "{{ [] is iterable }}{{ x is not none }}{{ 2 is even }}{{ false is false }}", Map.of("x", 1)))
                .isEqualTo("truefalsetruetruetruetruetruetruetrue");
    }

    @Test
    void whiteSpaceIsHandledAsTransformersConfiguresJinja() {
        // trim_blocks and lstrip_blocks, '-' control, and the one trailing newline dropped.
        assertThat(render("  {% if true %}\n    a\n  {% endif %}\n  {{- 'b' -}}  \n{# c #}\nd\n")).isEqualTo("    a\nbd");
    }

    @Test
    void macros() {
        assertThat(render("{% macro tag(name, close=true) %}<{{ name }}{{ '/' if close }}>{% endmacro %}"
                + "{{ tag('a') }}{{ tag('b', false) }}{{ tag(name='c', close=false) }}")).isEqualTo("<a/><b><c>");
    }

    @Test
    void strftimeNowReadsTheClock() {
        Clock clock = Clock.fixed(Instant.parse("2026-09-05T07:08:00Z"), ZoneOffset.UTC);
        assertThat(Template.compile("{{ strftime_now('%d %b %Y, %B %m %H:%M %% %A') }}").render(Map.of(), clock))
                .isEqualTo("05 Sep 2026, September 09 07:08 % %A");
    }

    @Test
    void raiseExceptionCarriesTheTemplatesOwnMessage() {
        assertThatThrownBy(() -> render("ok\n{% if true %}{{ raise_exception('Only user and assistant roles!') }}{% endif %}"))
                .isInstanceOfSatisfying(TemplateRaisedException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Only user and assistant roles!");
                    assertThat(e.line()).isEqualTo(2);
                });
    }

    @Test
    void unknownConstructsFailWithTheirNameAndPosition() {
        assertThatThrownBy(() -> render("a\n  {{ 'x' | frobnicate }}"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("Unknown StringValue filter: frobnicate at line 2, column 12");
        assertThatThrownBy(() -> Template.compile("{% if x %}\n  {% include 'other.jinja' %}{% endif %}"))
                .hasMessage("Unsupported statement {% include %} at line 2, column 6");
        assertThatThrownBy(() -> render("{{ x is divisibleby(3) }}")).hasMessageContaining("is divisibleby(...) at line 1");
        assertThatThrownBy(() -> render("{{ x is frobbed }}")).hasMessage("Unknown test: frobbed at line 1, column 6");
        assertThatThrownBy(() -> render("{{ x + 1 }}")).hasMessage("Cannot perform operation + on undefined values at line 1, column 6");
        assertThatThrownBy(() -> render("{{ 'a'.append(1) }}"))
                .hasMessage("Cannot call something that is not a function: got UndefinedValue at line 1, column 14");
        assertThatThrownBy(() -> Template.compile("{% for x in y %}x")).hasMessageStartingWith("Missing {% endfor %}");
        assertThatThrownBy(() -> Template.compile("{{ 'x' ")).hasMessageContaining("not closed");
    }

    @Test
    void integersThatOverflowAreRefusedRatherThanWrapped() {
        assertThatThrownBy(() -> render("{{ 9223372036854775807 + 1 }}")).hasMessageStartingWith("Integer overflow");
    }
}
