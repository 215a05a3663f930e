package org.dcpserve.core.chat.jinja;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template's text after the white-space settings that transformers applies to chat templates ({@code trim_blocks}
 * and {@code lstrip_blocks} on, the one trailing newline dropped) and with the transformers-only
 * {@code {% generation %}} markers removed, in the order {@code @huggingface/jinja} applies them. Every step only
 * deletes characters, so each remaining character keeps its offset in the template as written, for error positions.
 */
final class TemplateSource {

    private static final String JS_SPACE = "[\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]";
    private static final Pattern GENERATION_TAG =
            Pattern.compile("\\{%(-?)" + JS_SPACE + "*(?:end)?generation" + JS_SPACE + "*(-?)%\\}(" + JS_SPACE + "*)");

    private final String text;
    private final int[] origin;

    private TemplateSource(String text, int[] origin) {
        this.text = text;
        this.origin = origin;
    }

    static TemplateSource of(String template) {
        int[] identity = new int[template.length() + 1];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return new TemplateSource(template, identity)
                .withoutTrailingNewline()
                .withLstripBlocks()
                .withTrimBlocks()
                .withoutGenerationTags();
    }

    String text() {
        return text;
    }

    /** The offset in the template as written of this text's character at {@code index} (the end maps to the end). */
    int originOf(int index) {
        return origin[Math.min(index, text.length())];
    }

    private TemplateSource withoutTrailingNewline() {
        BitSet removed = new BitSet();
        if (text.endsWith("\n")) {
            removed.set(text.length() - 1);
        }
        return without(removed);
    }

    /** Spaces and tabs from a line's start up to a block or comment tag ({@code {%}, {@code {#}, also {@code {-}). */
    private TemplateSource withLstripBlocks() {
        BitSet removed = new BitSet();
        for (int i = 0; i < text.length(); i++) {
            if (i > 0 && !JsText.isLineTerminator(text.charAt(i - 1))) {
                continue;
            }
            int end = i;
            while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
                end++;
            }
            if (end > i && text.startsWith("{", end) && end + 1 < text.length() && "#%-".indexOf(text.charAt(end + 1)) >= 0) {
                removed.set(i, end);
            }
        }
        return without(removed);
    }

    /** The first newline after a block or comment tag ({@code %}}, {@code #}}, also {@code -}}). */
    private TemplateSource withTrimBlocks() {
        BitSet removed = new BitSet();
        int i = 0;
        while (i + 2 < text.length()) {
            if ("#%-".indexOf(text.charAt(i)) >= 0 && text.charAt(i + 1) == '}' && text.charAt(i + 2) == '\n') {
                removed.set(i + 2);
                i += 3;
            } else {
                i++;
            }
        }
        return without(removed);
    }

    /** transformers' {@code {% generation %}} / {@code {% endgeneration %}} markers, honouring their {@code -}. */
    private TemplateSource withoutGenerationTags() {
        BitSet removed = new BitSet();
        Matcher m = GENERATION_TAG.matcher(text);
        int lastEnd = 0;
        while (m.find()) {
            int start = m.start();
            if (!m.group(1).isEmpty()) {
                while (start > lastEnd && JsText.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            removed.set(start, m.group(2).isEmpty() ? m.start(3) : m.end());
            lastEnd = m.end();
        }
        return without(removed);
    }

    private TemplateSource without(BitSet removed) {
        if (removed.isEmpty()) {
            return this;
        }
        StringBuilder kept = new StringBuilder(text.length());
        int[] keptOrigin = new int[text.length() + 1];
        for (int i = 0; i < text.length(); i++) {
            if (!removed.get(i)) {
                keptOrigin[kept.length()] = origin[i];
                kept.append(text.charAt(i));
            }
        }
        keptOrigin[kept.length()] = origin[text.length()];
        return new TemplateSource(kept.toString(), java.util.Arrays.copyOf(keptOrigin, kept.length() + 1));
    }
}
