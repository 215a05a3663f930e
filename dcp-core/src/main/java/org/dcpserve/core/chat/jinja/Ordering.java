package org.dcpserve.core.chat.jinja;

/**
 * How {@code sort} and {@code dictsort} order values: numbers (booleans as 0 and 1) by value, strings by UTF-16 code
 * units (case-insensitive unless asked), none with none; anything else cannot be compared.
 */
final class Ordering {

    private Ordering() {
    }

    static int compare(Object a, Object b, boolean caseSensitive) {
        if (a == null || b == null) {
            if (a == null && b == null) {
                return 0;
            }
            throw new TemplateException("Cannot compare " + Values.typeName(a) + " with " + Values.typeName(b));
        }
        if (a == Undefined.VALUE || b == Undefined.VALUE) {
            if (a == b) {
                return 0;
            }
            throw new TemplateException("Cannot compare " + Values.typeName(a) + " with " + Values.typeName(b));
        }
        if (numeric(a) && numeric(b)) {
            double x = Values.toDouble(a);
            double y = Values.toDouble(b);
            return x < y ? -1 : x > y ? 1 : 0;
        }
        if (!Values.typeName(a).equals(Values.typeName(b))) {
            throw new TemplateException("Cannot compare different types: " + Values.typeName(a) + " and " + Values.typeName(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return caseSensitive ? Integer.signum(x.compareTo(y))
                    : Integer.signum(StringMethods.lower(x).compareTo(StringMethods.lower(y)));
        }
        throw new TemplateException("Cannot compare type: " + Values.typeName(a));
    }

    private static boolean numeric(Object value) {
        return Values.isNumber(value) || value instanceof Boolean;
    }
}
