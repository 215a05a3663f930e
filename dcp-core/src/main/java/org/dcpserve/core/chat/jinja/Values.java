package org.dcpserve.core.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime values and their conventions. A value is {@code null} (Jinja's {@code none}), {@link Undefined},
 * {@link Boolean}, {@link Long} (integer), {@link Double} (float), {@link String}, {@link List} (list or tuple),
 * {@link Map} with string keys in insertion order (dict), {@link Namespace} or {@link JinjaFunction}. Truthiness
 * follows Python; equality, printing and string concatenation follow {@code @huggingface/jinja}, which inherits them
 * from JavaScript (so {@code true} prints as "true", and {@code ==} is JavaScript's loose equality).
 */
final class Values {

    private Values() {
    }

    /** A Java value (maps, lists, strings, numbers, booleans, null, nested) as a runtime value. */
    static Object fromJava(Object value) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case BigDecimal b -> number(b.doubleValue());
            case Number n -> number(n.doubleValue());
            case Character c -> String.valueOf(c);
            case Map<?, ?> map -> {
                Map<String, Object> converted = new LinkedHashMap<>();
                map.forEach((k, v) -> converted.put(String.valueOf(k), fromJava(v)));
                yield converted;
            }
            case Iterable<?> items -> {
                List<Object> converted = new ArrayList<>();
                items.forEach(item -> converted.add(fromJava(item)));
                yield converted;
            }
            case Object[] items -> fromJava(java.util.Arrays.asList(items));
            case JinjaFunction f -> f;
            default -> throw new IllegalArgumentException("Cannot pass a " + value.getClass().getName() + " to a template");
        };
    }

    /** A number from outside is an integer when it is integral, as in JavaScript where 2.0 and 2 are the same. */
    private static Object number(double d) {
        return d % 1 == 0 && Math.abs(d) < 0x1p63 ? (Object) (long) d : (Object) d;
    }

    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Undefined u -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0 && !d.isNaN();
            case String s -> !s.isEmpty();
            case List<?> list -> !list.isEmpty();
            case Map<?, ?> map -> !map.isEmpty();
            default -> true;
        };
    }

    static boolean isNumber(Object value) {
        return value instanceof Long || value instanceof Double;
    }

    static double toDouble(Object number) {
        return number instanceof Long l ? l : number instanceof Boolean b ? (b ? 1 : 0) : (Double) number;
    }

    /** How {@code {{ value }}} prints a value that is neither none nor undefined; also the {@code string} filter. */
    static String print(Object value) {
        return switch (value) {
            case null -> "null";
            case Undefined u -> "undefined";
            case String s -> s;
            case Long l -> l.toString();
            case Double d -> JsText.floatToString(d);
            case Boolean b -> b.toString();
            case List<?> list -> Json.write(list, Json.Options.DEFAULT, false);
            case Map<?, ?> map -> Json.write(map, Json.Options.DEFAULT, false);
            case Namespace ns -> Json.write(ns, Json.Options.DEFAULT, false);
            default -> throw new TemplateException("Cannot print a " + typeName(value));
        };
    }

    /**
     * The text {@code +} and {@code ~} join: JavaScript's own conversion of the underlying value, so a float
     * 2.0 joins as "2" and a list as its items joined by commas (the reference's behaviour, kept byte for byte).
     */
    static String concatText(Object value) {
        return switch (value) {
            case Double d -> JsText.numberToString(d);
            case List<?> list -> {
                StringBuilder joined = new StringBuilder();
                for (int i = 0; i < list.size(); i++) {
                    joined.append(i == 0 ? "" : ",").append(print(list.get(i)));
                }
                yield joined.toString();
            }
            case Map<?, ?> map -> "[object Map]";
            case Namespace ns -> "[object Map]";
            default -> print(value);
        };
    }

    /** The text the {@code join} filter uses for a list item: JavaScript's {@code Array.join} of raw values. */
    static String joinText(Object value) {
        return switch (value) {
            case null -> "";
            case Undefined u -> "";
            case List<?> list -> {
                StringBuilder joined = new StringBuilder();
                for (int i = 0; i < list.size(); i++) {
                    joined.append(i == 0 ? "" : ",").append(joinText(list.get(i)));
                }
                yield joined.toString();
            }
            default -> concatText(value);
        };
    }

    /** {@code ==}: JavaScript's loose equality of the underlying values (containers by identity). */
    static boolean looseEquals(Object a, Object b) {
        boolean aNothing = a == null || a == Undefined.VALUE;
        boolean bNothing = b == null || b == Undefined.VALUE;
        if (aNothing || bNothing) {
            return aNothing && bNothing;
        }
        if (a instanceof Boolean x) {
            return looseEquals(x ? 1L : 0L, b);
        }
        if (b instanceof Boolean y) {
            return looseEquals(a, y ? 1L : 0L);
        }
        if (isNumber(a) && isNumber(b)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String x && b instanceof String y) {
            return x.equals(y);
        }
        if (a instanceof String x && isNumber(b)) {
            return JsText.toNumber(x) == toDouble(b);
        }
        if (isNumber(a) && b instanceof String y) {
            return toDouble(a) == JsText.toNumber(y);
        }
        boolean aPrimitive = a instanceof String || isNumber(a);
        boolean bPrimitive = b instanceof String || isNumber(b);
        if (aPrimitive != bPrimitive) {
            // A container meets a primitive: JavaScript compares the container's text form.
            return aPrimitive ? looseEquals(a, concatText(b)) : looseEquals(concatText(a), b);
        }
        return a == b;
    }

    /** JavaScript's {@code ===} of the underlying values: what {@code in} over a list and {@code equalto} use. */
    static boolean strictEquals(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String || a instanceof Boolean) {
            return a.equals(b);
        }
        return a == b;
    }

    /** The reference's type names, used in error messages. */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "NullValue";
            case Undefined u -> "UndefinedValue";
            case Boolean b -> "BooleanValue";
            case Long l -> "IntegerValue";
            case Double d -> "FloatValue";
            case String s -> "StringValue";
            case Tuple tuple -> "TupleValue";
            case List<?> list -> "ArrayValue";
            case Map<?, ?> map -> "ObjectValue";
            case Namespace ns -> "NamespaceValue";
            case JinjaFunction f -> "FunctionValue";
            default -> value.getClass().getSimpleName();
        };
    }
}
