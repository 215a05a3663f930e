package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Python string methods a template may call ({@code s.startswith('<think>')}, {@code s.split('</think>')}, ...)
 * and the string filters built on them, with {@code @huggingface/jinja}'s semantics. Note that there, as here,
 * {@code strip}, {@code lstrip} and {@code rstrip} ignore an argument and remove white space.
 */
final class StringMethods {

    private StringMethods() {
    }

    /** {@code s.name} as a value: {@code length} is a number, the rest are methods; undefined if there is none. */
    static Object member(String s, String name) {
        return switch (name) {
            case "length" -> (long) s.length();
            case "upper" -> (JinjaFunction) (a, k) -> upper(s);
            case "lower" -> (JinjaFunction) (a, k) -> lower(s);
            case "strip" -> (JinjaFunction) (a, k) -> JsText.trim(s);
            case "lstrip" -> (JinjaFunction) (a, k) -> JsText.trimStart(s);
            case "rstrip" -> (JinjaFunction) (a, k) -> JsText.trimEnd(s);
            case "title" -> (JinjaFunction) (a, k) -> title(s);
            case "capitalize" -> (JinjaFunction) (a, k) -> capitalize(s);
            case "startswith" -> (JinjaFunction) (a, k) -> affix(s, "startswith", JinjaFunction.positional("startswith", a, k), true);
            case "endswith" -> (JinjaFunction) (a, k) -> affix(s, "endswith", JinjaFunction.positional("endswith", a, k), false);
            case "split" -> (JinjaFunction) (a, k) -> split(s, JinjaFunction.positional("split", a, k));
            case "replace" -> (JinjaFunction) (a, k) -> replace(s, a, k);
            default -> Undefined.VALUE;
        };
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** An ASCII word character after a non-word one is upper-cased; nothing is lower-cased (unlike Python). */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s);
        for (int i = 0; i < s.length(); i++) {
            if (isWord(s.charAt(i)) && (i == 0 || !isWord(s.charAt(i - 1)))) {
                out.setCharAt(i, Character.toUpperCase(s.charAt(i)));
            }
        }
        return out.toString();
    }

    /** The first character upper-cased, the rest kept (unlike Python, which lower-cases them). */
    static String capitalize(String s) {
        return s.isEmpty() ? s : upper(s.substring(0, 1)) + s.substring(1);
    }

    private static boolean affix(String s, String method, List<Object> arguments, boolean prefix) {
        if (arguments.isEmpty()) {
            throw new TemplateException(method + "() requires at least one argument");
        }
        Object pattern = arguments.getFirst();
        if (pattern instanceof String p) {
            return prefix ? s.startsWith(p) : s.endsWith(p);
        }
        if (pattern instanceof List<?> patterns) {
            for (Object item : patterns) {
                if (!(item instanceof String p)) {
                    throw new TemplateException(method + "() tuple elements must be strings");
                }
                if (prefix ? s.startsWith(p) : s.endsWith(p)) {
                    return true;
                }
            }
            return false;
        }
        throw new TemplateException(method + "() argument must be a string or tuple of strings");
    }

    /** Python's {@code str.split(sep=None, maxsplit=-1)}. */
    private static List<Object> split(String s, List<Object> arguments) {
        Object separator = arguments.isEmpty() ? null : arguments.get(0);
        Object maxsplit = arguments.size() > 1 ? arguments.get(1) : -1L;
        if (!(separator == null || separator instanceof String)) {
            throw new TemplateException("sep argument must be a string or null");
        }
        if (!(maxsplit instanceof Long max)) {
            throw new TemplateException("maxsplit argument must be a number");
        }
        List<Object> parts = new ArrayList<>();
        if (separator == null) {
            String text = JsText.trimStart(s);
            int i = 0;
            while (i < text.length()) {
                int start = i;
                while (i < text.length() && !JsText.isWhitespace(text.charAt(i))) {
                    i++;
                }
                if (max >= 0 && parts.size() >= max) {
                    parts.add(text.substring(start));
                    break;
                }
                parts.add(text.substring(start, i));
                while (i < text.length() && JsText.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
            return parts;
        }
        String sep = (String) separator;
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        int start = 0;
        int found;
        while ((found = s.indexOf(sep, start)) >= 0 && (max < 0 || parts.size() < max)) {
            parts.add(s.substring(start, found));
            start = found + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** Python's {@code str.replace(old, new, count)}; an empty {@code old} inserts between code points. */
    static String replace(String s, List<Object> arguments, Map<String, Object> keywords) {
        if (arguments.size() < 2) {
            throw new TemplateException("replace() requires at least two arguments");
        }
        if (!(arguments.get(0) instanceof String old && arguments.get(1) instanceof String replacement)) {
            throw new TemplateException("replace() arguments must be strings");
        }
        Object count = arguments.size() > 2 ? arguments.get(2) : keywords.get("count");
        if (!(count == null || count instanceof Long)) {
            throw new TemplateException("replace() count argument must be a number or null");
        }
        long remaining = count == null || (Long) count < 0 ? Long.MAX_VALUE : (Long) count;
        StringBuilder out = new StringBuilder();
        if (old.isEmpty()) {
            int i = 0;
            while (true) {
                if (remaining-- > 0) {
                    out.append(replacement);
                }
                if (i >= s.length()) {
                    return out.toString();
                }
                int next = s.offsetByCodePoints(i, 1);
                out.append(s, i, next);
                i = next;
            }
        }
        int start = 0;
        int found;
        while (remaining > 0 && (found = s.indexOf(old, start)) >= 0) {
            out.append(s, start, found).append(replacement);
            start = found + old.length();
            remaining--;
        }
        return out.append(s.substring(start)).toString();
    }

    private static boolean isWord(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
