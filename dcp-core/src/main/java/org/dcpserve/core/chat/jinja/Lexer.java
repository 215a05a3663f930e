package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.List;

import org.dcpserve.core.chat.jinja.Token.Type;

/**
 * Splits a template into text, {@code {{ }}} expressions, {@code {% %}} statements and {@code {# #}} comments, with
 * {@code -} white-space control, the way {@code @huggingface/jinja} does (a {@code -} or {@code +} after an operator
 * or opening bracket is a sign and joins a following number, {@code }}} inside a dict literal closes the dict).
 */
final class Lexer {

    private record Symbol(String text, Type type) {
    }

    /** Operators and punctuation, longest first where one is the prefix of another. */
    private static final List<Symbol> SYMBOLS = List.of(
            new Symbol("{%", Type.OPEN_STATEMENT), new Symbol("%}", Type.CLOSE_STATEMENT),
            new Symbol("{{", Type.OPEN_EXPRESSION), new Symbol("}}", Type.CLOSE_EXPRESSION),
            new Symbol("(", Type.OPEN_PAREN), new Symbol(")", Type.CLOSE_PAREN), new Symbol("{", Type.OPEN_BRACE),
            new Symbol("}", Type.CLOSE_BRACE), new Symbol("[", Type.OPEN_BRACKET), new Symbol("]", Type.CLOSE_BRACKET),
            new Symbol(",", Type.COMMA), new Symbol(".", Type.DOT), new Symbol(":", Type.COLON), new Symbol("|", Type.PIPE),
            new Symbol("<=", Type.COMPARISON), new Symbol(">=", Type.COMPARISON), new Symbol("==", Type.COMPARISON),
            new Symbol("!=", Type.COMPARISON), new Symbol("<", Type.COMPARISON), new Symbol(">", Type.COMPARISON),
            new Symbol("+", Type.ADDITIVE), new Symbol("-", Type.ADDITIVE), new Symbol("~", Type.ADDITIVE),
            new Symbol("**", Type.POWER), new Symbol("*", Type.MULTIPLICATIVE), new Symbol("//", Type.MULTIPLICATIVE),
            new Symbol("/", Type.MULTIPLICATIVE), new Symbol("%", Type.MULTIPLICATIVE), new Symbol("=", Type.EQUALS));

    private final TemplateSource source;
    private final String src;
    private final String template;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int braceDepth;

    private Lexer(TemplateSource source, String template) {
        this.source = source;
        this.src = source.text();
        this.template = template;
    }

    static List<Token> tokenize(String template) {
        Lexer lexer = new Lexer(TemplateSource.of(template), template);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (pos < src.length()) {
            Type last = tokens.isEmpty() ? null : tokens.getLast().type();
            if ((last == null || last == Type.CLOSE_STATEMENT || last == Type.CLOSE_EXPRESSION || last == Type.COMMENT)
                    && lexText()) {
                continue;
            }
            if (src.charAt(pos) == '{' && lexOpening()) {
                continue;
            }
            skipWhitespaceInTag();
            lexInTag(last);
        }
    }

    /** Text up to the next {@code {%}, {@code {{} or {@code {#}; false when a tag starts right here. */
    private boolean lexText() {
        int end = pos;
        while (true) {
            end = src.indexOf('{', end);
            if (end < 0) {
                end = src.length();
                break;
            }
            if (end + 1 < src.length() && "%{#".indexOf(src.charAt(end + 1)) >= 0) {
                break;
            }
            end++;
        }
        if (end == pos) {
            return false;
        }
        add(Type.TEXT, src.substring(pos, end), pos);
        pos = end;
        return true;
    }

    /** A comment, or a {@code {%-} / {@code {{-} opening that strips the white space before it. */
    private boolean lexOpening() {
        char next = charAt(pos + 1);
        if (next == '#') {
            int start = pos;
            pos += 2;
            boolean stripBefore = charAt(pos) == '-';
            if (stripBefore) {
                pos++;
            }
            int end = src.indexOf("#}", pos);
            if (end < 0) {
                throw error("Missing end of comment tag", start);
            }
            String comment = src.substring(pos, end);
            boolean stripAfter = comment.endsWith("-");
            if (stripBefore) {
                stripTrailingWhitespace();
            }
            add(Type.COMMENT, stripAfter ? comment.substring(0, comment.length() - 1) : comment, start);
            pos = end + 2;
            if (stripAfter) {
                skipLeadingWhitespace();
            }
            return true;
        }
        if (charAt(pos + 2) == '-' && (next == '%' || next == '{')) {
            stripTrailingWhitespace();
            add(next == '%' ? Type.OPEN_STATEMENT : Type.OPEN_EXPRESSION, next == '%' ? "{%" : "{{", pos);
            if (next == '{') {
                braceDepth = 0;
            }
            pos += 3;
            return true;
        }
        return false;
    }

    private void lexInTag(Type last) {
        char c = src.charAt(pos);
        if (c == '-' && charAt(pos + 2) == '}' && (charAt(pos + 1) == '%' || charAt(pos + 1) == '}')) {
            boolean statement = charAt(pos + 1) == '%';
            add(statement ? Type.CLOSE_STATEMENT : Type.CLOSE_EXPRESSION, statement ? "%}" : "}}", pos);
            pos += 3;
            skipLeadingWhitespace();
            return;
        }
        if ((c == '-' || c == '+') && lexSign(last, c)) {
            return;
        }
        for (Symbol symbol : SYMBOLS) {
            String seq = symbol.text();
            if (seq.equals("}}") && braceDepth > 0) {
                continue;
            }
            if (src.startsWith(seq, pos)) {
                Type type = symbol.type();
                add(type, seq, pos);
                switch (type) {
                    case OPEN_EXPRESSION -> braceDepth = 0;
                    case OPEN_BRACE -> braceDepth++;
                    case CLOSE_BRACE -> braceDepth--;
                    default -> { }
                }
                pos += seq.length();
                return;
            }
        }
        if (c == '\'' || c == '"') {
            int start = pos++;
            add(Type.STRING, lexString(c, start), start);
            pos++;
            return;
        }
        if (isDigit(c)) {
            int start = pos;
            String number = digits();
            if (last != Type.DOT && charAt(pos) == '.' && isDigit(charAt(pos + 1))) {
                pos++;
                number = number + "." + digits();
            }
            add(Type.NUMBER, number, start);
            return;
        }
        if (isWord(c)) {
            int start = pos;
            while (pos < src.length() && isWord(src.charAt(pos))) {
                pos++;
            }
            add(Type.IDENTIFIER, src.substring(start, pos), start);
            return;
        }
        throw error("Unexpected character: " + c, pos);
    }

    /** A {@code -} or {@code +} that is a sign rather than a binary operator; a number right after it joins it. */
    private boolean lexSign(Type last, char sign) {
        if (last == null || last == Type.TEXT) {
            throw error("Unexpected character: " + sign, pos);
        }
        switch (last) {
            case IDENTIFIER, NUMBER, STRING, CLOSE_PAREN, CLOSE_BRACKET -> {
                return false;
            }
            default -> {
                int start = pos++;
                String number = digits();
                if (!number.isEmpty() && charAt(pos) == '.' && isDigit(charAt(pos + 1))) {
                    pos++;
                    number = number + "." + digits();
                }
                add(number.isEmpty() ? Type.UNARY : Type.NUMBER, sign + number, start);
                return true;
            }
        }
    }

    private String lexString(char quote, int start) {
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw error("Unexpected end of input in a string literal", start);
            }
            char c = src.charAt(pos);
            if (c == quote) {
                return value.toString();
            }
            pos++;
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (pos >= src.length()) {
                throw error("Unexpected end of input in a string literal", start);
            }
            char escaped = src.charAt(pos++);
            switch (escaped) {
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000B');
                case '\'', '"', '\\' -> value.append(escaped);
                case 'x', 'u' -> {
                    int length = escaped == 'x' ? 2 : 4;
                    String hex = src.substring(pos, Math.min(src.length(), pos + length));
                    if (hex.length() != length || !hex.matches("[0-9a-fA-F]+")) {
                        throw error("Invalid hexadecimal escape sequence: \\" + escaped + hex, pos - 2);
                    }
                    value.append((char) Integer.parseInt(hex, 16));
                    pos += length;
                }
                default -> throw error("Unexpected escaped character: " + escaped, pos - 2);
            }
        }
    }

    private String digits() {
        int start = pos;
        while (pos < src.length() && isDigit(src.charAt(pos))) {
            pos++;
        }
        return src.substring(start, pos);
    }

    /** White space between tokens inside a tag; a tag left open at the end of the template is an error. */
    private void skipWhitespaceInTag() {
        while (pos < src.length() && JsText.isWhitespace(src.charAt(pos))) {
            pos++;
        }
        if (pos >= src.length()) {
            throw error("Unexpected end of input: a tag is not closed", pos);
        }
    }

    private void skipLeadingWhitespace() {
        while (pos < src.length() && JsText.isWhitespace(src.charAt(pos))) {
            pos++;
        }
    }

    private void stripTrailingWhitespace() {
        if (!tokens.isEmpty() && tokens.getLast().is(Type.TEXT)) {
            Token text = tokens.removeLast();
            String stripped = JsText.trimEnd(text.value());
            if (!stripped.isEmpty()) {
                tokens.add(new Token(Type.TEXT, stripped, text.offset()));
            }
        }
    }

    private void add(Type type, String value, int index) {
        tokens.add(new Token(type, value, source.originOf(index)));
    }

    private char charAt(int index) {
        return index < src.length() ? src.charAt(index) : '\0';
    }

    private TemplateException error(String reason, int index) {
        return new TemplateException(reason).locate(template, source.originOf(index));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWord(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
    }
}
