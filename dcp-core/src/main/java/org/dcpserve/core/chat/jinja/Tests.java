package org.dcpserve.core.chat.jinja;

import java.util.List;
import java.util.Map;

/** The {@code is} tests ({@code x is defined}, {@code x is not none}, {@code x is string}, ...). */
final class Tests {

    private Tests() {
    }

    static boolean known(String name) {
        return switch (name) {
            case "boolean", "callable", "odd", "even", "false", "true", "none", "string", "number", "integer",
                 "iterable", "mapping", "sequence", "lower", "upper", "defined", "undefined", "equalto", "eq" -> true;
            default -> false;
        };
    }

    /** Runs test {@code name}; {@code other} is the compared value for {@code equalto}/{@code eq} (selectattr). */
    static boolean test(String name, Object value, Object other) {
        return switch (name) {
            case "boolean" -> value instanceof Boolean;
            case "callable" -> value instanceof JinjaFunction;
            case "odd" -> integer(name, value) % 2 != 0;
            case "even" -> integer(name, value) % 2 == 0;
            case "false" -> Boolean.FALSE.equals(value);
            case "true" -> Boolean.TRUE.equals(value);
            case "none" -> value == null;
            case "string" -> value instanceof String;
            case "number" -> Values.isNumber(value);
            case "integer" -> value instanceof Long;
            case "iterable" -> (value instanceof List && !(value instanceof Tuple)) || value instanceof String;
            case "mapping" -> value instanceof Map;
            case "sequence" -> value instanceof List || value instanceof Map || value instanceof String;
            case "lower" -> value instanceof String s && s.equals(StringMethods.lower(s));
            case "upper" -> value instanceof String s && s.equals(StringMethods.upper(s));
            case "defined" -> value != Undefined.VALUE;
            case "undefined" -> value == Undefined.VALUE;
            case "equalto", "eq" -> Values.strictEquals(value, other);
            default -> throw new TemplateException("Unknown test: " + name);
        };
    }

    private static long integer(String test, Object value) {
        if (!(value instanceof Long l)) {
            throw new TemplateException("cannot " + test + " on " + Values.typeName(value));
        }
        return l;
    }
}
