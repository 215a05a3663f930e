package org.dcpserve.core.chat.jinja;

/** One token of a template; {@code offset} is where it starts in the template as written. */
record Token(Type type, String value, int offset) {

    enum Type {
        TEXT, NUMBER, STRING, IDENTIFIER, EQUALS, OPEN_PAREN, CLOSE_PAREN, OPEN_STATEMENT, CLOSE_STATEMENT,
        OPEN_EXPRESSION, CLOSE_EXPRESSION, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE, COMMA, DOT, COLON,
        PIPE, ADDITIVE, MULTIPLICATIVE, POWER, COMPARISON, UNARY, COMMENT
    }

    boolean is(Type expected) {
        return type == expected;
    }

    boolean isIdentifier(String name) {
        return type == Type.IDENTIFIER && value.equals(name);
    }
}
