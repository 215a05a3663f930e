package org.dcpserve.core.chat.jinja;

import java.text.Collator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tojson} filter: Python's {@code json.dumps} layout (", " and ": " separators; "," between items when
 * indenting) with JavaScript's {@code JSON.stringify} escaping (non-ASCII kept as is unless {@code ensure_ascii}),
 * exactly as {@code @huggingface/jinja} writes it.
 */
final class Json {

    record Options(Integer indent, boolean ensureAscii, boolean sortKeys, String itemSeparator, String keySeparator) {

        static final Options DEFAULT = new Options(null, false, false, null, null);

        String items() {
            return itemSeparator != null ? itemSeparator : indented() ? "," : ", ";
        }

        String keys() {
            return keySeparator != null ? keySeparator : ": ";
        }

        boolean indented() {
            return indent != null && indent != 0;
        }
    }

    private Json() {
    }

    /** {@code undefinedAsNull} false prints a nested undefined as "undefined", as the reference's printing does. */
    static String write(Object value, Options options, boolean undefinedAsNull) {
        StringBuilder out = new StringBuilder();
        write(value, options, 0, undefinedAsNull, out);
        return out.toString();
    }

    private static void write(Object value, Options options, int depth, boolean undefinedAsNull, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Undefined u -> out.append(undefinedAsNull ? "null" : "undefined");
            case Long l -> out.append(l);
            case Double d -> out.append(d.isNaN() || d.isInfinite() ? "null" : JsText.numberToString(d));
            case Boolean b -> out.append(b);
            case String s -> out.append(string(s, options.ensureAscii()));
            case Tuple tuple -> throw new TemplateException("Cannot convert to JSON: TupleValue");
            case List<?> list -> {
                List<Object> items = new ArrayList<>(list);
                writeContainer('[', ']', items.size(), options, depth, out, i -> {
                    write(items.get(i), options, depth + 1, undefinedAsNull, out);
                });
            }
            case Map<?, ?> map -> writeObject(map, options, depth, undefinedAsNull, out);
            case Namespace ns -> writeObject(ns.attributes(), options, depth, undefinedAsNull, out);
            default -> throw new TemplateException("Cannot convert to JSON: " + Values.typeName(value));
        }
    }

    private static void writeObject(Map<?, ?> map, Options options, int depth, boolean undefinedAsNull, StringBuilder out) {
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (options.sortKeys()) {
            // The reference sorts with String.localeCompare; an English collator orders the same way.
            Collator collator = Collator.getInstance(Locale.ENGLISH);
            entries.sort((a, b) -> collator.compare(String.valueOf(a.getKey()), String.valueOf(b.getKey())));
        }
        writeContainer('{', '}', entries.size(), options, depth, out, i -> {
            out.append(string(String.valueOf(entries.get(i).getKey()), options.ensureAscii())).append(options.keys());
            write(entries.get(i).getValue(), options, depth + 1, undefinedAsNull, out);
        });
    }

    private interface ItemWriter {
        void write(int index);
    }

    private static void writeContainer(char open, char close, int size, Options options, int depth, StringBuilder out,
            ItemWriter item) {
        out.append(open);
        String padding = options.indented() ? " ".repeat(Math.max(0, options.indent())) : "";
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.append(options.items());
            }
            if (options.indented()) {
                out.append('\n').append(padding.repeat(depth + 1));
            }
            item.write(i);
        }
        if (options.indented() && size > 0) {
            out.append('\n').append(padding.repeat(depth));
        }
        out.append(close);
    }

    /** A JSON string as {@code JSON.stringify} writes it (lone surrogates escaped, the rest of Unicode as is). */
    static String string(String s, boolean ensureAscii) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || loneSurrogate || (ensureAscii && c >= 0x7F)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
