package org.dcpserve.core.chat.jinja;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The names every template sees: the constants, {@code raise_exception}, {@code range}, {@code namespace}, {@code strftime_now}. */
final class Globals {

    private Globals() {
    }

    static Scope scope(Clock clock) {
        Scope scope = new Scope(null);
        scope.set("true", true);
        scope.set("false", false);
        scope.set("none", null);
        scope.set("True", true);
        scope.set("False", false);
        scope.set("None", null);
        scope.set("raise_exception", (JinjaFunction) (arguments, keywords) -> {
            throw new TemplateRaisedException(arguments.isEmpty() ? "undefined" : Values.concatText(arguments.getFirst()));
        });
        scope.set("range", (JinjaFunction) (arguments, keywords) -> range(JinjaFunction.positional("range", arguments, keywords)));
        scope.set("namespace", (JinjaFunction) Globals::namespace);
        scope.set("strftime_now", (JinjaFunction) (arguments, keywords) -> {
            if (arguments.isEmpty() || !(arguments.getFirst() instanceof String format)) {
                throw new TemplateException("strftime_now() needs a format string");
            }
            return strftime(ZonedDateTime.now(clock), format);
        });
        return scope;
    }

    /** Python's {@code range(stop)} / {@code range(start, stop[, step])}. */
    private static List<Object> range(List<Object> arguments) {
        for (Object argument : arguments) {
            if (!(argument instanceof Long)) {
                throw new TemplateException("range() arguments must be integers, got " + Values.typeName(argument));
            }
        }
        if (arguments.isEmpty() || arguments.size() > 3) {
            throw new TemplateException("range() takes 1 to 3 arguments");
        }
        long start = arguments.size() == 1 ? 0 : (Long) arguments.get(0);
        long stop = (Long) arguments.get(arguments.size() == 1 ? 0 : 1);
        long step = arguments.size() == 3 ? (Long) arguments.get(2) : 1;
        if (step == 0) {
            throw new TemplateException("range() step must not be zero");
        }
        List<Object> numbers = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            numbers.add(i);
        }
        return numbers;
    }

    /** {@code namespace(mapping_or_pairs, **attributes)}. */
    private static Namespace namespace(List<Object> arguments, Map<String, Object> keywords) {
        if (arguments.size() > 1) {
            throw new TemplateException("namespace expected at most 1 argument, got " + arguments.size());
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (arguments.size() == 1) {
            switch (arguments.getFirst()) {
                case Map<?, ?> map -> attributes.putAll(Filters.dict(map));
                case List<?> pairs -> {
                    for (Object pair : pairs) {
                        if (!(pair instanceof List<?> kv) || kv.size() != 2) {
                            throw new TemplateException("namespace expected an object or an iterable of [key, value] pairs");
                        }
                        if (!(kv.get(0) instanceof String key)) {
                            throw new TemplateException("namespace keys must be strings");
                        }
                        attributes.put(key, kv.get(1));
                    }
                }
                case Object other -> throw new TemplateException("'" + Values.typeName(other) + "' object is not iterable");
            }
        }
        attributes.putAll(keywords);
        return new Namespace(attributes);
    }

    /** The directives the reference supports (%Y %m %d %b %B %H %M %%, English month names); others stay as written. */
    static String strftime(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            char directive = c == '%' && i + 1 < format.length() ? format.charAt(i + 1) : 0;
            String replacement = switch (directive) {
                case 'Y' -> Integer.toString(time.getYear());
                case 'm' -> pad2(time.getMonthValue());
                case 'd' -> pad2(time.getDayOfMonth());
                case 'b' -> time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'H' -> pad2(time.getHour());
                case 'M' -> pad2(time.getMinute());
                case '%' -> "%";
                default -> null;
            };
            if (replacement == null) {
                out.append(c);
            } else {
                out.append(replacement);
                i++;
            }
        }
        return out.toString();
    }

    private static String pad2(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
