package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.dcpserve.core.chat.jinja.DictMethods.argument;

/**
 * The filters ({@code x | trim}, {@code x | tojson(indent=2)}, ...), chosen by the operand's type as
 * {@code @huggingface/jinja} chooses them: a filter written without parentheses and one with them are looked up
 * separately (so {@code x | join} and {@code x | join(', ')} both work, {@code x | default} alone does not), and a
 * filter that does not exist for the operand's type fails with its name and the type.
 */
final class Filters {

    private Filters() {
    }

    /** {@code operand | name}. */
    static Object apply(String name, Object operand) {
        if (name.equals("safe")) {
            return operand;
        }
        if (name.equals("tojson")) {
            return Json.write(operand, Json.Options.DEFAULT, true);
        }
        return switch (operand) {
            case List<?> list -> listFilter(name, list);
            case String s -> stringFilter(name, s);
            case Long l -> switch (name) {
                case "abs" -> Math.abs(l);
                case "int" -> l;
                case "float" -> (double) l;
                case "string" -> Values.print(l);
                default -> throw unknown("NumericValue", name);
            };
            case Double d -> switch (name) {
                case "abs" -> Math.abs(d);
                case "int" -> (long) (double) d;
                case "float" -> d;
                case "string" -> Values.print(d);
                default -> throw unknown("NumericValue", name);
            };
            case Map<?, ?> map -> switch (name) {
                case "items" -> DictMethods.items(dict(map));
                case "length" -> (long) map.size();
                default -> {
                    Object method = DictMethods.member(dict(map), name);
                    if (method instanceof JinjaFunction f) {
                        yield f.call(List.of(), Map.of());
                    }
                    throw unknown("ObjectValue", name);
                }
            };
            case Boolean b -> switch (name) {
                case "bool" -> b;
                case "int" -> b ? 1L : 0L;
                case "float" -> b ? 1.0 : 0.0;
                case "string" -> b.toString();
                default -> throw unknown("BooleanValue", name);
            };
            case null, default -> throw new TemplateException(
                    "Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
        };
    }

    private static Object listFilter(String name, List<?> list) {
        return switch (name) {
            case "list" -> list;
            case "first" -> list.isEmpty() ? Undefined.VALUE : list.getFirst();
            case "last" -> list.isEmpty() ? Undefined.VALUE : list.getLast();
            case "length" -> (long) list.size();
            case "reverse" -> {
                List<Object> reversed = new ArrayList<>(list);
                Collections.reverse(reversed);
                yield reversed;
            }
            case "sort" -> sorted(list, false, false, null);
            case "join" -> join(list, "");
            case "string" -> Json.write(list, Json.Options.DEFAULT, false);
            case "unique" -> unique(list);
            default -> throw unknown("ArrayValue", name);
        };
    }

    private static Object stringFilter(String name, String s) {
        return switch (name) {
            case "length" -> (long) s.length();
            case "upper" -> StringMethods.upper(s);
            case "lower" -> StringMethods.lower(s);
            case "title" -> StringMethods.title(s);
            case "capitalize" -> StringMethods.capitalize(s);
            case "trim" -> JsText.trim(s);
            case "indent" -> indent(s, "    ", false, false);
            case "join", "string" -> s;
            case "int" -> {
                Long parsed = JsText.parseIntPrefix(s);
                yield parsed == null ? 0L : parsed;
            }
            case "float" -> {
                Double parsed = JsText.parseFloatPrefix(s);
                yield parsed == null ? 0.0 : parsed;
            }
            default -> throw unknown("StringValue", name);
        };
    }

    /** {@code operand | name(arguments)}. */
    static Object apply(String name, Object operand, List<Object> arguments, Map<String, Object> keywords) {
        switch (name) {
            case "tojson" -> {
                return tojson(operand, keywords);
            }
            case "join" -> {
                Object separator = argument(arguments, 0, keywords, "separator", "");
                if (!(separator instanceof String sep)) {
                    throw new TemplateException("separator must be a string");
                }
                if (operand instanceof String s) {
                    return String.join(sep, s.codePoints().mapToObj(Character::toString).toList());
                }
                if (operand instanceof List<?> list) {
                    return join(list, sep);
                }
                throw new TemplateException("Cannot apply filter \"join\" to type: " + Values.typeName(operand));
            }
            case "int", "float" -> {
                return number(name, operand, argument(arguments, 0, keywords, "default",
                        name.equals("int") ? (Object) 0L : (Object) 0.0));
            }
            case "default" -> {
                Object fallback = arguments.isEmpty() ? "" : arguments.get(0);
                Object onFalsy = argument(arguments, 1, keywords, "boolean", false);
                if (!(onFalsy instanceof Boolean b)) {
                    throw new TemplateException("`default` filter flag must be a boolean");
                }
                return operand == Undefined.VALUE || (b && !Values.truthy(operand)) ? fallback : operand;
            }
            default -> {
                return switch (operand) {
                    case List<?> list -> switch (name) {
                        case "sort" -> sort(list, arguments, keywords);
                        case "map" -> map(list, keywords);
                        default -> throw unknown("ArrayValue", name);
                    };
                    case String s -> switch (name) {
                        case "indent" -> indent(s, arguments, keywords);
                        case "replace" -> StringMethods.replace(s, arguments, keywords);
                        default -> throw unknown("StringValue", name);
                    };
                    case Map<?, ?> map -> {
                        if (DictMethods.member(dict(map), name) instanceof JinjaFunction f) {
                            yield f.call(arguments, keywords);
                        }
                        throw unknown("ObjectValue", name);
                    }
                    case null, default -> throw new TemplateException(
                            "Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
                };
            }
        }
    }

    /** {@code selectattr(attribute[, test[, value]])} / {@code rejectattr}; arguments are string literals. */
    static List<Object> selectAttribute(boolean select, List<?> list, List<Object> arguments) {
        for (Object item : list) {
            if (!(item instanceof Map || item instanceof Namespace)) {
                throw new TemplateException("`" + (select ? "selectattr" : "rejectattr")
                        + "` can only be applied to array of objects");
            }
        }
        String attribute = (String) arguments.get(0);
        String test = arguments.size() > 1 ? (String) arguments.get(1) : null;
        Object value = arguments.size() > 2 ? arguments.get(2) : Undefined.VALUE;
        if (test != null && !Tests.known(test)) {
            throw new TemplateException("Unknown test: " + test);
        }
        List<Object> kept = new ArrayList<>();
        for (Object item : list) {
            Map<String, Object> attributes = attributes(item);
            boolean passed = attributes.containsKey(attribute)
                    && (test == null ? Values.truthy(attributes.get(attribute)) : Tests.test(test, attributes.get(attribute), value));
            if (passed == select) {
                kept.add(item);
            }
        }
        return kept;
    }

    private static Object tojson(Object operand, Map<String, Object> keywords) {
        Object indent = keywords.get("indent");
        Object ensureAscii = keywords.getOrDefault("ensure_ascii", false);
        Object sortKeys = keywords.getOrDefault("sort_keys", false);
        Object separators = keywords.get("separators");
        if (!(indent == null || indent instanceof Long)) {
            throw new TemplateException("If set, indent must be a number");
        }
        if (!(ensureAscii instanceof Boolean ascii)) {
            throw new TemplateException("If set, ensure_ascii must be a boolean");
        }
        if (!(sortKeys instanceof Boolean sort)) {
            throw new TemplateException("If set, sort_keys must be a boolean");
        }
        String itemSeparator = null;
        String keySeparator = null;
        if (separators instanceof List<?> pair) {
            if (pair.size() != 2 || !(pair.get(0) instanceof String i && pair.get(1) instanceof String k)) {
                throw new TemplateException("separators must be a tuple of two strings");
            }
            itemSeparator = i;
            keySeparator = k;
        } else if (separators != null) {
            throw new TemplateException("If set, separators must be a tuple of two strings");
        }
        Integer width = indent == null ? null : (int) (long) (Long) indent;
        return Json.write(operand, new Json.Options(width, ascii, sort, itemSeparator, keySeparator), true);
    }

    private static Object number(String name, Object operand, Object fallback) {
        boolean integer = name.equals("int");
        return switch (operand) {
            case String s -> {
                Object parsed = integer ? (Object) JsText.parseIntPrefix(s) : (Object) JsText.parseFloatPrefix(s);
                yield parsed == null ? fallback : parsed;
            }
            case Long l -> integer ? (Object) l : (Object) (double) l;
            case Double d -> integer ? (Object) (long) (double) d : (Object) d;
            case Boolean b -> integer ? (Object) (b ? 1L : 0L) : (Object) (b ? 1.0 : 0.0);
            case null, default -> throw new TemplateException(
                    "Cannot apply filter \"" + name + "\" to type: " + Values.typeName(operand));
        };
    }

    private static String join(List<?> list, String separator) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            out.append(i == 0 ? "" : separator).append(Values.joinText(list.get(i)));
        }
        return out.toString();
    }

    /** Items not seen before: numbers, strings, booleans and none by value, lists and dicts by identity. */
    private static List<Object> unique(List<?> list) {
        List<Object> kept = new ArrayList<>();
        java.util.Set<Object> seenValues = new java.util.HashSet<>();
        java.util.Set<Object> seenContainers = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Object item : list) {
            boolean byValue = item == null || item instanceof String || item instanceof Boolean || Values.isNumber(item)
                    || item == Undefined.VALUE;
            Object key = Values.isNumber(item) ? (Object) Values.toDouble(item) : item;
            if (byValue ? seenValues.add(key) : seenContainers.add(item)) {
                kept.add(item);
            }
        }
        return kept;
    }

    /** {@code sort(reverse=false, case_sensitive=false, attribute=none)}. */
    private static List<Object> sort(List<?> list, List<Object> arguments, Map<String, Object> keywords) {
        Object reverse = argument(arguments, 0, keywords, "reverse", false);
        Object caseSensitive = argument(arguments, 1, keywords, "case_sensitive", false);
        Object attribute = argument(arguments, 2, keywords, "attribute", null);
        if (!(reverse instanceof Boolean r)) {
            throw new TemplateException("reverse must be a boolean");
        }
        if (!(caseSensitive instanceof Boolean cs)) {
            throw new TemplateException("case_sensitive must be a boolean");
        }
        if (!(attribute == null || attribute instanceof String || attribute instanceof Long)) {
            throw new TemplateException("attribute must be a string, integer, or null");
        }
        return sorted(list, r, cs, attribute == null ? null : Values.print(attribute));
    }

    private static List<Object> sorted(List<?> list, boolean reverse, boolean caseSensitive, String attribute) {
        List<Object> sorted = new ArrayList<>(list);
        sorted.sort((a, b) -> {
            Object x = attribute == null ? a : attributePath(a, attribute);
            Object y = attribute == null ? b : attributePath(b, attribute);
            int order = Ordering.compare(x, y, caseSensitive);
            return reverse ? -order : order;
        });
        return sorted;
    }

    /** {@code map(attribute='name', default=...)}; mapping through another filter is not supported. */
    private static List<Object> map(List<?> list, Map<String, Object> keywords) {
        if (!keywords.containsKey("attribute")) {
            throw new TemplateException("`map` expressions without `attribute` set are not currently supported.");
        }
        if (!(keywords.get("attribute") instanceof String attribute)) {
            throw new TemplateException("attribute must be a string");
        }
        List<Object> mapped = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map || item instanceof Namespace)) {
                throw new TemplateException("items in map must be an object");
            }
            Object value = attributePath(item, attribute);
            mapped.add(value == Undefined.VALUE ? keywords.getOrDefault("default", Undefined.VALUE) : value);
        }
        return mapped;
    }

    /** {@code "a.b.0"}: dict keys and list indices along a dotted path; undefined where the path breaks. */
    private static Object attributePath(Object item, String path) {
        Object value = item;
        for (String part : path.split("\\.", -1)) {
            if (value instanceof Map || value instanceof Namespace) {
                Map<String, Object> attributes = attributes(value);
                value = attributes.containsKey(part) ? attributes.get(part) : Undefined.VALUE;
            } else if (value instanceof List<?> list) {
                Long index = JsText.parseIntPrefix(part);
                if (index == null || index < 0 || index >= list.size()) {
                    return Undefined.VALUE;
                }
                value = list.get((int) (long) index);
            } else {
                return Undefined.VALUE;
            }
        }
        return value;
    }

    private static String indent(String s, List<Object> arguments, Map<String, Object> keywords) {
        Object width = argument(arguments, 0, keywords, "width", 4L);
        Object first = argument(arguments, 1, keywords, "first", false);
        Object blank = argument(arguments, 2, keywords, "blank", false);
        String prefix = switch (width) {
            case Long l -> " ".repeat((int) Math.max(0, l));
            case String w -> w;
            default -> throw new TemplateException("width must be an integer or a string");
        };
        return indent(s, prefix, Values.truthy(first), Values.truthy(blank));
    }

    /** Each line after the first (all with {@code first}) gets the prefix; empty lines only with {@code blank}. */
    private static String indent(String s, String prefix, boolean first, boolean blank) {
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            boolean skip = (!first && i == 0) || (!blank && lines[i].isEmpty());
            out.append(i == 0 ? "" : "\n").append(skip ? "" : prefix).append(lines[i]);
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> dict(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    static Map<String, Object> attributes(Object container) {
        return container instanceof Namespace ns ? ns.attributes() : dict((Map<?, ?>) container);
    }

    private static TemplateException unknown(String type, String name) {
        return new TemplateException("Unknown " + type + " filter: " + name);
    }
}
