package org.dcpserve.core.chat.jinja;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A compiled Jinja template, in the dialect of Hugging Face chat templates, rendering byte for byte what
 * {@code @huggingface/jinja} (the renderer of transformers.js) renders: {@code trim_blocks} and
 * {@code lstrip_blocks} on, the one trailing newline dropped. Thread-safe: compile once, render many times.
 *
 * <p>Supported: text, {@code {{ }}}, {@code {# #}}, {@code -} white-space control; {@code if/elif/else},
 * {@code for ... in ... [if ...]} with {@code else}, {@code loop.*}, {@code break}/{@code continue}, {@code set}
 * (also of {@code namespace()} attributes, tuples and blocks), {@code macro}; Python-style expressions, tests,
 * filters and string/dict methods (see {@code Filters}, {@code Tests}, {@code StringMethods},
 * {@code DictMethods}). Not supported, failing with their name and position: {@code call} and {@code filter}
 * blocks, {@code include}/{@code import}/{@code extends}, argument unpacking, tests with arguments.
 */
public final class Template {

    private final String source;
    private final List<Node> body;

    private Template(String source, List<Node> body) {
        this.source = source;
        this.body = body;
    }

    /** @throws TemplateException if the template does not parse */
    public static Template compile(String source) {
        return new Template(source, Parser.parse(source));
    }

    /** Renders with the variables (Java maps, lists, strings, numbers, booleans, null), the system clock for dates. */
    public String render(Map<String, ?> variables) {
        return render(variables, Clock.systemDefaultZone());
    }

    /**
     * @param clock what {@code strftime_now} reads
     * @throws TemplateRaisedException if the template calls {@code raise_exception}
     * @throws TemplateException if rendering fails for any other reason
     */
    public String render(Map<String, ?> variables, Clock clock) {
        Scope scope = Globals.scope(clock);
        variables.forEach((name, value) -> scope.set(name, Values.fromJava(value)));
        StringBuilder out = new StringBuilder();
        new Interpreter(source).render(body, scope, out);
        return out.toString();
    }
}
