package org.dcpserve.core.chat.jinja;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The string and number conventions of JavaScript, which the reference renderer ({@code @huggingface/jinja}, what
 * transformers.js runs) inherits and which our output must match byte for byte: what counts as white space for
 * {@code trim}, how a number prints, how {@code int} parses a string.
 */
final class JsText {

    private static final Pattern FLOAT_PREFIX = Pattern.compile("^[+-]?(Infinity|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");
    private static final Pattern RADIX_INTEGER = Pattern.compile("0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+");

    private JsText() {
    }

    /** JavaScript's {@code \s}: ASCII white space plus the Unicode space separators, line separators and BOM. */
    static boolean isWhitespace(int c) {
        if (c <= 32) {
            return c == 32 || (c >= 9 && c <= 13);
        }
        return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
    }

    static boolean isLineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
    }

    static String trim(String s) {
        return trimEnd(trimStart(s));
    }

    static String trimStart(String s) {
        int start = 0;
        while (start < s.length() && isWhitespace(s.charAt(start))) {
            start++;
        }
        return s.substring(start);
    }

    static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** {@code String(number)} in JavaScript: shortest round-trip digits, exponent form below 1e-6 and from 1e21. */
    static String numberToString(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0";
        }
        String sign = d < 0 ? "-" : "";
        // Java's Double.toString yields the shortest digits that round-trip, as ECMAScript asks; only the layout differs.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int k = digits.length();
        int n = k - exact.scale(); // the value is 0.digits * 10^n
        if (k <= n && n <= 21) {
            return sign + digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return sign + digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return sign + "0." + "0".repeat(-n) + digits;
        }
        int exponent = n - 1;
        String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
    }

    /** How the reference prints a float: integral values keep one decimal ("2.0"), as Python does. */
    static String floatToString(double d) {
        if (d == 0 && 1 / d < 0) {
            return "-0.0";
        }
        if (!Double.isInfinite(d) && !Double.isNaN(d) && d % 1 == 0 && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toPlainString() + ".0";
        }
        return numberToString(d);
    }

    /** JavaScript's {@code parseInt(s, 10)}: leading white space, a sign, then as many digits as there are; null for NaN. */
    static Long parseIntPrefix(String s) {
        String t = trimStart(s);
        int i = 0;
        boolean negative = false;
        if (i < t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            negative = t.charAt(i) == '-';
            i++;
        }
        int start = i;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        if (i == start) {
            return null;
        }
        long value = Long.parseLong(t.substring(start, i));
        return negative ? -value : value;
    }

    /** JavaScript's {@code parseFloat(s)}: the longest decimal prefix after white space; null for NaN. */
    static Double parseFloatPrefix(String s) {
        Matcher m = FLOAT_PREFIX.matcher(trimStart(s));
        if (!m.find()) {
            return null;
        }
        String number = m.group();
        return number.endsWith("Infinity")
                ? (number.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(number);
    }

    /** JavaScript's {@code Number(s)}, which loose equality applies to a string compared with a number. */
    static double toNumber(String s) {
        String t = trim(s);
        if (t.isEmpty()) {
            return 0;
        }
        if (FLOAT_PREFIX.matcher(t).matches()) { // the whole string is a decimal number
            return parseFloatPrefix(t);
        }
        if (RADIX_INTEGER.matcher(t).matches()) {
            int radix = switch (Character.toLowerCase(t.charAt(1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            return new java.math.BigInteger(t.substring(2), radix).doubleValue();
        }
        return Double.NaN;
    }
}
