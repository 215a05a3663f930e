package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operators, with {@code @huggingface/jinja}'s rules: arithmetic on numbers (an integer result unless a float
 * takes part; {@code /} always a float; {@code %} keeps the dividend's sign, as JavaScript does), {@code +} joins
 * strings (with anything) and lists, {@code ~} joins anything as text (undefined as nothing), {@code in} searches
 * lists, strings and dict keys; everything else, such as comparing two strings with {@code <}, fails.
 */
final class Operators {

    private Operators() {
    }

    static Object binary(String operator, Object left, Supplier<Object> rightSide) {
        switch (operator) {
            case "and" -> {
                return Values.truthy(left) ? rightSide.get() : left;
            }
            case "or" -> {
                return Values.truthy(left) ? left : rightSide.get();
            }
            default -> {
            }
        }
        Object right = rightSide.get();
        switch (operator) {
            case "==" -> {
                return Values.looseEquals(left, right);
            }
            case "!=" -> {
                return !Values.looseEquals(left, right);
            }
            default -> {
            }
        }
        if (Values.isNumber(left) && Values.isNumber(right) && !operator.equals("~") && !operator.equals("**")) {
            Object result = arithmetic(operator, left, right);
            if (result != null) {
                return result;
            }
        } else if (left == Undefined.VALUE || right == Undefined.VALUE) {
            if (right == Undefined.VALUE && (operator.equals("in") || operator.equals("not in"))) {
                return operator.equals("not in");
            }
            if (operator.equals("~") && left != null && right != null) {
                return (left == Undefined.VALUE ? "" : Values.concatText(left))
                        + (right == Undefined.VALUE ? "" : Values.concatText(right));
            }
            throw new TemplateException("Cannot perform operation " + operator + " on undefined values");
        } else if (left == null || right == null) {
            throw new TemplateException("Cannot perform operation on null values");
        } else if (operator.equals("~")) {
            return Values.concatText(left) + Values.concatText(right);
        } else if (operator.equals("**") && numberLike(left) && numberLike(right)) {
            return power(left, right);
        } else if (left instanceof List<?> a && right instanceof List<?> b) {
            if (operator.equals("+")) {
                List<Object> joined = new ArrayList<>(a);
                joined.addAll(b);
                return joined;
            }
        } else if (right instanceof List<?> list && (operator.equals("in") || operator.equals("not in"))) {
            boolean member = list.stream().anyMatch(item -> Values.strictEquals(item, left));
            return operator.equals("in") == member;
        }
        if ((left instanceof String || right instanceof String) && operator.equals("+")) {
            return Values.concatText(left) + Values.concatText(right);
        }
        if (operator.equals("in") || operator.equals("not in")) {
            boolean in = operator.equals("in");
            if (left instanceof String needle && right instanceof String haystack) {
                return in == haystack.contains(needle);
            }
            if (left instanceof String key && right instanceof Map<?, ?> map) {
                return in == map.containsKey(key);
            }
        }
        throw new TemplateException("Unknown operator \"" + operator + "\" between " + Values.typeName(left) + " and "
                + Values.typeName(right));
    }

    /** Numbers with a numeric operator; null for an operator numbers do not take (such as {@code in}). */
    private static Object arithmetic(String operator, Object left, Object right) {
        boolean floating = left instanceof Double || right instanceof Double;
        double a = Values.toDouble(left);
        double b = Values.toDouble(right);
        return switch (operator) {
            case "+", "-", "*" -> {
                if (floating) {
                    yield operator.equals("+") ? a + b : operator.equals("-") ? a - b : a * b;
                }
                long x = (Long) left;
                long y = (Long) right;
                try {
                    yield operator.equals("+") ? Math.addExact(x, y)
                            : operator.equals("-") ? Math.subtractExact(x, y) : Math.multiplyExact(x, y);
                } catch (ArithmeticException e) {
                    // The reference's integers are doubles that lose digits here; ours refuse rather than differ.
                    throw new TemplateException("Integer overflow in " + x + " " + operator + " " + y);
                }
            }
            case "/" -> a / b;
            case "//" -> {
                if (floating) {
                    yield Math.floor(a / b);
                }
                if ((Long) right == 0) {
                    throw new TemplateException("integer division by zero");
                }
                yield Math.floorDiv((Long) left, (Long) right);
            }
            case "%" -> {
                if (floating) {
                    yield a % b;
                }
                if ((Long) right == 0) {
                    throw new TemplateException("integer modulo by zero");
                }
                yield (Long) left % (Long) right;
            }
            case "<" -> a < b;
            case ">" -> a > b;
            case "<=" -> a <= b;
            case ">=" -> a >= b;
            default -> null;
        };
    }

    private static Object power(Object left, Object right) {
        double a = Values.toDouble(left);
        double b = Values.toDouble(right);
        if (a == 0 && b < 0) {
            throw new TemplateException("0.0 cannot be raised to a negative power");
        }
        double result = Math.pow(a, b);
        if (Double.isNaN(result) || Double.isInfinite(result)) {
            throw new TemplateException("Exponentiation result is not a finite real number");
        }
        boolean floating = left instanceof Double || right instanceof Double || b < 0;
        return floating ? (Object) result : (Object) (long) result;
    }

    private static boolean numberLike(Object value) {
        return Values.isNumber(value) || value instanceof Boolean;
    }

    static Object unary(String operator, Object operand) {
        if (operator.equals("not")) {
            return !Values.truthy(operand);
        }
        long sign = operator.equals("-") ? -1 : 1;
        return switch (operand) {
            case Long l -> sign * l;
            case Double d -> sign * d;
            case Boolean b -> sign * (b ? 1 : 0);
            case null, default -> throw new TemplateException(
                    "Unknown operator \"" + operator + "\" for " + Values.typeName(operand));
        };
    }
}
