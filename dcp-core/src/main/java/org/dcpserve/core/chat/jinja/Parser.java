package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.dcpserve.core.chat.jinja.Token.Type;

/**
 * Builds the syntax tree from tokens, with {@code @huggingface/jinja}'s precedence (lowest first): ternary,
 * {@code or}, {@code and}, {@code not}, comparisons and {@code in}, {@code + - ~}, {@code * / // %}, {@code **},
 * {@code is} tests, {@code |} filters, signs, then calls, attributes and subscripts. Statements it does not know
 * (for example {@code call} and {@code filter} blocks) fail here with their name and position.
 */
final class Parser {

    private final List<Token> tokens;
    private final String template;
    private int current;

    private Parser(List<Token> tokens, String template) {
        this.tokens = tokens;
        this.template = template;
    }

    static List<Node> parse(String template) {
        Parser parser = new Parser(Lexer.tokenize(template), template);
        List<Node> body = new ArrayList<>();
        while (parser.current < parser.tokens.size()) {
            parser.parseInto(body);
        }
        return body;
    }

    /** The next statement, added to {@code body} (a comment adds nothing). */
    private void parseInto(List<Node> body) {
        if (peek().is(Type.COMMENT)) {
            current++;
        } else {
            body.add(parseAny());
        }
    }

    private Node parseAny() {
        Token token = peek();
        return switch (token.type()) {
            case TEXT -> {
                current++;
                yield new Node.Text(token.offset(), token.value());
            }
            case OPEN_STATEMENT -> parseStatement();
            case OPEN_EXPRESSION -> {
                current++;
                Node expression = parseExpression();
                expect(Type.CLOSE_EXPRESSION, "'}}'");
                yield new Node.Output(token.offset(), expression);
            }
            default -> throw error("Unexpected " + describe(token), token);
        };
    }

    /** Statements until one of {@code names} opens; comments are dropped. */
    private List<Node> parseBodyUntil(String... names) {
        List<Node> body = new ArrayList<>();
        while (!isStatement(names)) {
            if (current >= tokens.size()) {
                throw error("Missing {% " + String.join(" %} or {% ", names) + " %}", tokens.getLast());
            }
            parseInto(body);
        }
        return body;
    }

    private Node parseStatement() {
        Token open = expect(Type.OPEN_STATEMENT, "'{%'");
        Token name = peek();
        if (!name.is(Type.IDENTIFIER)) {
            throw error("Expected a statement name after '{%', got " + describe(name), name);
        }
        current++;
        return switch (name.value()) {
            case "set" -> parseSet(open);
            case "if" -> {
                Node result = parseIf(open);
                closeBlock("endif");
                yield result;
            }
            case "for" -> {
                Node result = parseFor(open);
                closeBlock("endfor");
                yield result;
            }
            case "macro" -> {
                Node result = parseMacro(open);
                closeBlock("endmacro");
                yield result;
            }
            case "break" -> {
                expect(Type.CLOSE_STATEMENT, "'%}'");
                yield new Node.Break(open.offset());
            }
            case "continue" -> {
                expect(Type.CLOSE_STATEMENT, "'%}'");
                yield new Node.Continue(open.offset());
            }
            default -> throw error("Unsupported statement {% " + name.value() + " %}", name);
        };
    }

    private void closeBlock(String end) {
        expect(Type.OPEN_STATEMENT, "'{% " + end + " %}'");
        Token name = peek();
        if (!name.isIdentifier(end)) {
            throw error("Expected " + end + ", got " + describe(name), name);
        }
        current++;
        expect(Type.CLOSE_STATEMENT, "'%}'");
    }

    private Node parseSet(Token open) {
        Node target = parseSequence(false);
        if (peekIs(Type.EQUALS)) {
            current++;
            Node value = parseSequence(false);
            expect(Type.CLOSE_STATEMENT, "'%}'");
            return new Node.Set(open.offset(), target, value, List.of());
        }
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Node> body = parseBodyUntil("endset");
        closeBlock("endset");
        return new Node.Set(open.offset(), target, null, body);
    }

    private Node parseIf(Token open) {
        Node test = parseExpression();
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Node> body = parseBodyUntil("elif", "else", "endif");
        List<Node> otherwise = new ArrayList<>();
        if (isStatement("elif")) {
            Token elif = tokens.get(current);
            current += 2;
            otherwise.add(parseIf(elif));
        } else if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "'%}'");
            otherwise.addAll(parseBodyUntil("endif"));
        }
        return new Node.If(open.offset(), test, body, otherwise);
    }

    private Node parseFor(Token open) {
        Node target = parseSequence(true);
        if (!(target instanceof Node.Name || target instanceof Node.TupleLiteral)) {
            throw error("Expected a name or names for the loop variable", open);
        }
        if (!peek().isIdentifier("in")) {
            throw error("Expected 'in' after the loop variable, got " + describe(peek()), peek());
        }
        current++;
        Node iterable = parseExpression();
        Node filter = null;
        if (iterable instanceof Node.Select select) {
            iterable = select.value();
            filter = select.condition();
        }
        expect(Type.CLOSE_STATEMENT, "'%}'");
        List<Node> body = parseBodyUntil("endfor", "else");
        List<Node> otherwise = List.of();
        if (isStatement("else")) {
            current += 2;
            expect(Type.CLOSE_STATEMENT, "'%}'");
            otherwise = parseBodyUntil("endfor");
        }
        return new Node.For(open.offset(), target, iterable, filter, body, otherwise);
    }

    private Node parseMacro(Token open) {
        Token name = peek();
        if (!name.is(Type.IDENTIFIER)) {
            throw error("Expected the macro's name, got " + describe(name), name);
        }
        current++;
        List<Node> parameters = parseArguments(true);
        java.util.Set<String> seen = new HashSet<>();
        for (Node parameter : parameters) {
            String parameterName = parameter instanceof Node.Keyword k ? k.name() : ((Node.Name) parameter).name();
            if (!seen.add(parameterName)) {
                throw error("Duplicate parameter name: " + parameterName, name);
            }
        }
        expect(Type.CLOSE_STATEMENT, "'%}'");
        return new Node.Macro(open.offset(), name.value(), parameters, parseBodyUntil("endmacro"));
    }

    /** One expression, or several separated by commas as a tuple ({@code a, b = ...}, {@code for k, v in ...}). */
    private Node parseSequence(boolean primary) {
        Token first = peek();
        Node expression = primary ? parsePrimary() : parseExpression();
        if (!peekIs(Type.COMMA)) {
            return expression;
        }
        List<Node> items = new ArrayList<>(List.of(expression));
        while (peekIs(Type.COMMA)) {
            current++;
            items.add(primary ? parsePrimary() : parseExpression());
        }
        return new Node.TupleLiteral(first.offset(), items);
    }

    private Node parseExpression() {
        Node value = parseOr();
        if (peek().isIdentifier("if")) {
            Token keyword = tokens.get(current++);
            Node condition = parseOr();
            if (peek().isIdentifier("else")) {
                current++;
                return new Node.Ternary(keyword.offset(), condition, value, parseExpression());
            }
            return new Node.Select(keyword.offset(), value, condition);
        }
        return value;
    }

    private Node parseOr() {
        return parseLeftAssociative(this::parseAnd, token -> token.isIdentifier("or"));
    }

    private Node parseAnd() {
        return parseLeftAssociative(this::parseNot, token -> token.isIdentifier("and"));
    }

    private Node parseNot() {
        if (peek().isIdentifier("not")) {
            Token operator = tokens.get(current++);
            return new Node.Unary(operator.offset(), "not", parseNot());
        }
        return parseComparison();
    }

    private Node parseComparison() {
        Node left = parseAdditive();
        while (true) {
            Token token = peek();
            String operator;
            if (token.isIdentifier("not") && peekAt(1).isIdentifier("in")) {
                operator = "not in";
                current += 2;
            } else if (token.isIdentifier("in") || token.is(Type.COMPARISON)) {
                operator = token.value();
                current++;
            } else {
                return left;
            }
            left = new Node.Binary(token.offset(), operator, left, parseAdditive());
        }
    }

    private Node parseAdditive() {
        return parseLeftAssociative(this::parseMultiplicative, token -> token.is(Type.ADDITIVE));
    }

    private Node parseMultiplicative() {
        return parseLeftAssociative(this::parsePower, token -> token.is(Type.MULTIPLICATIVE));
    }

    /** Left-associative, as in Jinja (not Python): {@code 2 ** 3 ** 2} is {@code (2 ** 3) ** 2}. */
    private Node parsePower() {
        return parseLeftAssociative(this::parseTest, token -> token.is(Type.POWER));
    }

    /** {@code operand (operator operand)*}, grouped from the left. */
    private Node parseLeftAssociative(Supplier<Node> operand, Predicate<Token> isOperator) {
        Node left = operand.get();
        while (current < tokens.size() && isOperator.test(tokens.get(current))) {
            Token operator = tokens.get(current++);
            left = new Node.Binary(operator.offset(), operator.value(), left, operand.get());
        }
        return left;
    }

    private Node parseTest() {
        Node operand = parseFilter();
        while (peek().isIdentifier("is")) {
            Token is = tokens.get(current++);
            boolean negated = peek().isIdentifier("not");
            if (negated) {
                current++;
            }
            Token name = peek();
            if (!name.is(Type.IDENTIFIER)) {
                throw error("Expected the name of a test after 'is', got " + describe(name), name);
            }
            current++;
            if (peekIs(Type.OPEN_PAREN)) {
                throw error("Unsupported test with arguments: is " + name.value() + "(...)", name);
            }
            operand = new Node.Test(is.offset(), operand, negated, name.value());
        }
        return operand;
    }

    private Node parseFilter() {
        Node operand = parseSign();
        while (peekIs(Type.PIPE)) {
            current++;
            Token name = peek();
            if (!name.is(Type.IDENTIFIER)) {
                throw error("Expected the name of a filter after '|', got " + describe(name), name);
            }
            current++;
            List<Node> arguments = peekIs(Type.OPEN_PAREN) ? parseArguments(false) : null;
            operand = new Node.Filter(name.offset(), operand, name.value(), arguments);
        }
        return operand;
    }

    private Node parseSign() {
        Token token = peek();
        if ((token.is(Type.UNARY) || token.is(Type.ADDITIVE)) && (token.value().equals("-") || token.value().equals("+"))) {
            current++;
            return new Node.Unary(token.offset(), token.value(), parseSign());
        }
        return parseCallMember(parsePrimary());
    }

    /** Attribute access, subscripts and calls, in any order: {@code a.b(c)[0].d()}. */
    private Node parseCallMember(Node object) {
        while (true) {
            Token token = peek();
            if (token.is(Type.DOT)) {
                current++;
                Token property = peek();
                current++;
                if (property.is(Type.IDENTIFIER)) {
                    object = new Node.Member(token.offset(), object, new Node.Literal(property.offset(), property.value()), false);
                } else if (property.is(Type.NUMBER) && !property.value().contains(".")) {
                    object = new Node.Member(token.offset(), object, integer(property), false);
                } else {
                    throw error("Expected a name or an integer after '.', got " + describe(property), property);
                }
            } else if (token.is(Type.OPEN_BRACKET)) {
                current++;
                object = new Node.Member(token.offset(), object, parseSubscript(token), true);
                expect(Type.CLOSE_BRACKET, "']'");
            } else if (token.is(Type.OPEN_PAREN)) {
                object = new Node.Call(token.offset(), object, parseArguments(false));
            } else {
                return object;
            }
        }
    }

    /** {@code [index]} or a slice {@code [start:stop:step]} with any part left out. */
    private Node parseSubscript(Token open) {
        List<Node> parts = new ArrayList<>();
        boolean slice = false;
        while (!peekIs(Type.CLOSE_BRACKET)) {
            if (peekIs(Type.COLON)) {
                parts.add(null);
                current++;
                slice = true;
            } else {
                parts.add(parseExpression());
                if (peekIs(Type.COLON)) {
                    current++;
                    slice = true;
                }
            }
        }
        if (parts.isEmpty()) {
            throw error("Expected an index or a slice inside '[]'", open);
        }
        if (!slice) {
            return parts.getFirst();
        }
        if (parts.size() > 3) {
            throw error("Expected at most 3 parts in a slice", open);
        }
        while (parts.size() < 3) {
            parts.add(null);
        }
        return new Node.Slice(open.offset(), parts.get(0), parts.get(1), parts.get(2));
    }

    /** {@code (a, b, name=c)}; for a macro's parameters, names with optional defaults. */
    private List<Node> parseArguments(boolean parameters) {
        expect(Type.OPEN_PAREN, "'('");
        List<Node> arguments = new ArrayList<>();
        boolean sawKeyword = false;
        while (!peekIs(Type.CLOSE_PAREN)) {
            Token token = peek();
            if (token.is(Type.POWER) || (token.is(Type.MULTIPLICATIVE) && token.value().equals("*"))) {
                throw error("Unsupported argument unpacking: " + token.value(), token);
            }
            Node argument = parseExpression();
            if (peekIs(Type.EQUALS)) {
                current++;
                if (!(argument instanceof Node.Name name)) {
                    throw error("Expected a name before '='", token);
                }
                argument = new Node.Keyword(token.offset(), name.name(), parseExpression());
                sawKeyword = true;
            } else if (parameters && !(argument instanceof Node.Name)) {
                throw error("Expected a parameter name", token);
            } else if (sawKeyword) {
                throw error(parameters ? "Non-default argument follows default argument"
                        : "Positional arguments must come before keyword arguments", token);
            }
            arguments.add(argument);
            if (peekIs(Type.COMMA)) {
                current++;
            }
        }
        current++;
        return arguments;
    }

    private Node parsePrimary() {
        Token token = peek();
        current++;
        return switch (token.type()) {
            case NUMBER -> token.value().contains(".")
                    ? new Node.Literal(token.offset(), Double.parseDouble(token.value()))
                    : integer(token);
            case STRING -> {
                StringBuilder value = new StringBuilder(token.value());
                while (peekIs(Type.STRING)) {
                    value.append(tokens.get(current++).value());
                }
                yield new Node.Literal(token.offset(), value.toString());
            }
            case IDENTIFIER -> new Node.Name(token.offset(), token.value());
            case OPEN_PAREN -> {
                Node expression = parseSequence(false);
                expect(Type.CLOSE_PAREN, "')'");
                yield expression;
            }
            case OPEN_BRACKET -> {
                List<Node> items = new ArrayList<>();
                while (!peekIs(Type.CLOSE_BRACKET)) {
                    items.add(parseExpression());
                    if (peekIs(Type.COMMA)) {
                        current++;
                    }
                }
                current++;
                yield new Node.ListLiteral(token.offset(), items);
            }
            case OPEN_BRACE -> {
                List<Node> keys = new ArrayList<>();
                List<Node> values = new ArrayList<>();
                while (!peekIs(Type.CLOSE_BRACE)) {
                    keys.add(parseExpression());
                    expect(Type.COLON, "':' between a key and its value");
                    values.add(parseExpression());
                    if (peekIs(Type.COMMA)) {
                        current++;
                    }
                }
                current++;
                yield new Node.DictLiteral(token.offset(), keys, values);
            }
            default -> throw error("Unexpected " + describe(token), token);
        };
    }

    private Node.Literal integer(Token token) {
        try {
            return new Node.Literal(token.offset(), Long.parseLong(token.value()));
        } catch (NumberFormatException e) {
            return new Node.Literal(token.offset(), Double.parseDouble(token.value()));
        }
    }

    private boolean isStatement(String... names) {
        if (current + 1 >= tokens.size() || !tokens.get(current).is(Type.OPEN_STATEMENT)) {
            return false;
        }
        Token name = tokens.get(current + 1);
        return name.is(Type.IDENTIFIER) && List.of(names).contains(name.value());
    }

    private Token expect(Type type, String what) {
        Token token = peek();
        if (!token.is(type)) {
            throw error("Expected " + what + ", got " + describe(token), token);
        }
        current++;
        return token;
    }

    private Token peek() {
        return peekAt(0);
    }

    private Token peekAt(int ahead) {
        int index = current + ahead;
        if (index >= tokens.size()) {
            return new Token(Type.TEXT, null, template.length());
        }
        return tokens.get(index);
    }

    private boolean peekIs(Type type) {
        return current < tokens.size() && tokens.get(current).is(type);
    }

    private static String describe(Token token) {
        if (token.value() == null) {
            return "the end of the template";
        }
        return switch (token.type()) {
            case TEXT -> "text";
            case STRING -> "string '" + token.value() + "'";
            default -> "'" + token.value() + "'";
        };
    }

    private TemplateException error(String reason, Token token) {
        return new TemplateException(reason).locate(template, token.offset());
    }
}
