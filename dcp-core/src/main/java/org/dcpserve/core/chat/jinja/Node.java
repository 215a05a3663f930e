package org.dcpserve.core.chat.jinja;

import java.util.List;

/** The syntax tree of a template. Every node keeps {@code at}, its offset in the template as written, for errors. */
sealed interface Node {

    int at();

    // Statements: what a template's body is made of.

    /** Literal text between tags. */
    record Text(int at, String value) implements Node {
    }

    /** {@code {{ expression }}}. */
    record Output(int at, Node expression) implements Node {
    }

    /** {@code {% if %}}; an {@code elif} is an {@code If} alone in {@code otherwise}. */
    record If(int at, Node test, List<Node> body, List<Node> otherwise) implements Node {
    }

    /** {@code {% for target in iterable [if filter] %}} with an optional {@code {% else %}} (no iteration). */
    record For(int at, Node target, Node iterable, Node filter, List<Node> body, List<Node> otherwise) implements Node {
    }

    /** {@code {% set target = value %}}, or the block form {@code {% set target %}body{% endset %}} (value null). */
    record Set(int at, Node target, Node value, List<Node> body) implements Node {
    }

    /** {@code {% macro name(parameters) %}}; a parameter with a default is a {@link Keyword}. */
    record Macro(int at, String name, List<Node> parameters, List<Node> body) implements Node {
    }

    record Break(int at) implements Node {
    }

    record Continue(int at) implements Node {
    }

    // Expressions.

    /** A string, integer ({@code Long}) or float ({@code Double}) literal. */
    record Literal(int at, Object value) implements Node {
    }

    record Name(int at, String name) implements Node {
    }

    record ListLiteral(int at, List<Node> items) implements Node {
    }

    record TupleLiteral(int at, List<Node> items) implements Node {
    }

    record DictLiteral(int at, List<Node> keys, List<Node> values) implements Node {
    }

    /** {@code left op right}, op one of {@code + - ~ * / // % ** == != < > <= >= in not in and or}. */
    record Binary(int at, String operator, Node left, Node right) implements Node {
    }

    /** {@code not x}, {@code -x}, {@code +x}. */
    record Unary(int at, String operator, Node operand) implements Node {
    }

    /** {@code object.name} (property a {@link Literal} string or integer) or {@code object[property]}. */
    record Member(int at, Node object, Node property, boolean computed) implements Node {
    }

    /** {@code [start:stop:step]}, only as a {@link Member}'s property; absent parts are null. */
    record Slice(int at, Node start, Node stop, Node step) implements Node {
    }

    record Call(int at, Node callee, List<Node> arguments) implements Node {
    }

    /** {@code name=value} in a call's arguments or a macro's parameters. */
    record Keyword(int at, String name, Node value) implements Node {
    }

    /** {@code operand | name} (arguments null) or {@code operand | name(arguments)}. */
    record Filter(int at, Node operand, String name, List<Node> arguments) implements Node {
    }

    /** {@code operand is [not] name}. */
    record Test(int at, Node operand, boolean negated, String name) implements Node {
    }

    /** {@code then if condition else otherwise}. */
    record Ternary(int at, Node condition, Node then, Node otherwise) implements Node {
    }

    /** {@code value if condition} without an else: undefined when the condition is false. */
    record Select(int at, Node value, Node condition) implements Node {
    }
}
