package org.dcpserve.core.tokenizer;

import java.text.Normalizer;
import java.util.List;

/** The normalizer of a {@code tokenizer.json}: rewrites each section of text before it is pre-tokenized. */
interface TextNormalizer {

    TextNormalizer NONE = text -> text;

    /** {@code NFC}: canonical composition, so "e" + combining acute and "é" encode alike. */
    TextNormalizer NFC = text -> Normalizer.normalize(text, Normalizer.Form.NFC);

    String normalize(String text);

    /** {@code Prepend}: {@code prefix} before any non-empty text (SentencePiece's leading "▁"). */
    static TextNormalizer prepend(String prefix) {
        return text -> text.isEmpty() ? text : prefix + text;
    }

    /** {@code Replace} with a {@code String} pattern: every occurrence of {@code target}, left to right. */
    static TextNormalizer replace(String target, String replacement) {
        return text -> text.replace(target, replacement);
    }

    static TextNormalizer sequence(List<TextNormalizer> steps) {
        return text -> {
            for (TextNormalizer step : steps) {
                text = step.normalize(text);
            }
            return text;
        };
    }
}
