package org.dcpserve.core.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Python dict methods a template may call: {@code get}, {@code items}, {@code keys}, {@code values}, {@code dictsort}. */
final class DictMethods {

    private DictMethods() {
    }

    static Object member(Map<String, Object> map, String name) {
        return switch (name) {
            case "get" -> (JinjaFunction) (a, k) -> get(map, JinjaFunction.positional("get", a, k));
            case "items" -> (JinjaFunction) (a, k) -> items(map);
            case "keys" -> (JinjaFunction) (a, k) -> new ArrayList<Object>(map.keySet());
            case "values" -> (JinjaFunction) (a, k) -> new ArrayList<>(map.values());
            case "dictsort" -> (JinjaFunction) (a, k) -> dictsort(map, a, k);
            default -> Undefined.VALUE;
        };
    }

    private static Object get(Map<String, Object> map, List<Object> arguments) {
        Object key = arguments.isEmpty() ? Undefined.VALUE : arguments.get(0);
        if (!(key instanceof String k)) {
            throw new TemplateException("Object key must be a string: got " + Values.typeName(key));
        }
        if (map.containsKey(k)) {
            return map.get(k);
        }
        return arguments.size() > 1 ? arguments.get(1) : null;
    }

    static List<Object> items(Map<String, Object> map) {
        List<Object> items = new ArrayList<>();
        map.forEach((key, value) -> items.add(new ArrayList<>(java.util.Arrays.asList(key, value))));
        return items;
    }

    /** {@code dictsort(case_sensitive=false, by='key', reverse=false)}: (key, value) pairs in order. */
    private static List<Object> dictsort(Map<String, Object> map, List<Object> arguments, Map<String, Object> keywords) {
        Object caseSensitive = argument(arguments, 0, keywords, "case_sensitive", false);
        Object by = argument(arguments, 1, keywords, "by", "key");
        Object reverse = argument(arguments, 2, keywords, "reverse", false);
        if (!(caseSensitive instanceof Boolean cs)) {
            throw new TemplateException("case_sensitive must be a boolean");
        }
        if (!(by instanceof String b) || !(b.equals("key") || b.equals("value"))) {
            throw new TemplateException("by must be either 'key' or 'value'");
        }
        if (!(reverse instanceof Boolean r)) {
            throw new TemplateException("reverse must be a boolean");
        }
        int index = b.equals("key") ? 0 : 1;
        List<Object> items = items(map);
        items.sort((x, y) -> {
            int order = Ordering.compare(((List<?>) x).get(index), ((List<?>) y).get(index), cs);
            return r ? -order : order;
        });
        return items;
    }

    /** Positional argument {@code index}, else keyword {@code name}, else the default. */
    static Object argument(List<Object> arguments, int index, Map<String, Object> keywords, String name, Object fallback) {
        if (index < arguments.size()) {
            return arguments.get(index);
        }
        return keywords.containsKey(name) ? keywords.get(name) : fallback;
    }
}
