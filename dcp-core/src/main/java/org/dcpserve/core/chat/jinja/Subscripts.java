package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code x.name}, {@code x[key]} and {@code x[start:stop:step]}: dict keys before dict methods, negative indices
 * from the end, Python's slice rules (on code points for strings); a missing key or index is undefined.
 */
final class Subscripts {

    private Subscripts() {
    }

    static Object member(Object object, Object property) {
        if (object instanceof Map || object instanceof Namespace) {
            if (!(property instanceof String key)) {
                throw new TemplateException("Cannot access property with non-string: got " + Values.typeName(property));
            }
            Map<String, Object> attributes = Filters.attributes(object);
            if (attributes.containsKey(key)) {
                return attributes.get(key);
            }
            return object instanceof Map ? DictMethods.member(attributes, key) : Undefined.VALUE;
        }
        if (object instanceof List || object instanceof String) {
            return switch (property) {
                case Long index -> at(object, index);
                case String name -> object instanceof String s ? StringMethods.member(s, name)
                        : name.equals("length") ? (Object) (long) ((List<?>) object).size() : Undefined.VALUE;
                case null, default -> throw new TemplateException(
                        "Cannot access property with non-string/non-number: got " + Values.typeName(property));
            };
        }
        if (!(property instanceof String)) {
            throw new TemplateException("Cannot access property with non-string: got " + Values.typeName(property));
        }
        return Undefined.VALUE;
    }

    /** One item (for a string, one UTF-16 unit, as JavaScript's {@code at}), counting from the end if negative. */
    private static Object at(Object sequence, long index) {
        int length = sequence instanceof String s ? s.length() : ((List<?>) sequence).size();
        long i = index < 0 ? length + index : index;
        if (i < 0 || i >= length) {
            return Undefined.VALUE;
        }
        return sequence instanceof String s ? String.valueOf(s.charAt((int) i)) : ((List<?>) sequence).get((int) i);
    }

    static Object slice(Object object, Object start, Object stop, Object step) {
        if (!(object instanceof List || object instanceof String)) {
            throw new TemplateException("Slice object must be an array or string");
        }
        for (Object part : new Object[] {start, stop, step}) {
            if (!(part instanceof Long || part == Undefined.VALUE)) {
                throw new TemplateException("Slice start, stop and step must be integers or left out, got "
                        + Values.typeName(part));
            }
        }
        List<?> items = object instanceof String s ? s.codePoints().mapToObj(Character::toString).toList() : (List<?>) object;
        List<Object> sliced = slice(items, start, stop, step == Undefined.VALUE ? 1 : (Long) step);
        return object instanceof String ? String.join("", sliced.stream().map(String.class::cast).toList()) : sliced;
    }

    private static List<Object> slice(List<?> items, Object startValue, Object stopValue, long step) {
        if (step == 0) {
            return new ArrayList<>(); // what the reference yields, where Python raises
        }
        long n = items.size();
        long start;
        long stop;
        if (step > 0) {
            start = startValue == Undefined.VALUE ? 0 : clamp((Long) startValue, n, 0, n);
            stop = stopValue == Undefined.VALUE ? n : clamp((Long) stopValue, n, 0, n);
        } else {
            start = startValue == Undefined.VALUE ? n - 1 : clamp((Long) startValue, n, -1, n - 1);
            stop = stopValue == Undefined.VALUE ? -1 : (Long) stopValue < -1 ? Math.max(n + (Long) stopValue, -1)
                    : Math.min((Long) stopValue, n - 1);
        }
        List<Object> sliced = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            sliced.add(items.get((int) i));
        }
        return sliced;
    }

    /** A negative bound counts from the end; the result stays within [low, high]. */
    private static long clamp(long bound, long n, long low, long high) {
        return bound < 0 ? Math.max(n + bound, low) : Math.min(bound, high);
    }
}
