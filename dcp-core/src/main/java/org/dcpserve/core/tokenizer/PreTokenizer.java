package org.dcpserve.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The pre-tokenizer of a {@code tokenizer.json}: cuts normalized text into the pieces that BPE then
 * encodes one by one (merges never cross a piece boundary), and may rewrite them on the way (byte-level
 * characters, the {@code "▁"} metaspace).
 */
interface PreTokenizer {

    /** Cuts nothing: SentencePiece-style tokenizers encode a whole section as one piece. */
    PreTokenizer NONE = (text, firstSection, out) -> out.add(text);

    /**
     * Appends the pieces of {@code text} to {@code out}.
     *
     * @param firstSection whether {@code text} starts the input (added tokens cut the input into
     *                     sections); Metaspace's {@code prepend_scheme: "first"} needs to know
     */
    void split(String text, boolean firstSection, List<String> out);

    /** Each pre-tokenizer in turn, each one on every piece of the one before. */
    static PreTokenizer sequence(List<PreTokenizer> steps) {
        return (text, firstSection, out) -> {
            List<String> pieces = List.of(text);
            for (PreTokenizer step : steps) {
                List<String> next = new ArrayList<>(pieces.size() * 2);
                for (String piece : pieces) {
                    step.split(piece, firstSection, next);
                }
                pieces = next;
            }
            out.addAll(pieces);
        };
    }

    /**
     * {@code ByteLevel}: each piece becomes its UTF-8 bytes in {@link ByteLevelAlphabet}'s characters,
     * after GPT-2's word pattern has cut it when {@code wordPattern} is given ({@code use_regex}).
     */
    static PreTokenizer byteLevel(SplitPreTokenizer wordPattern) {
        return (text, firstSection, out) -> {
            if (wordPattern == null) {
                out.add(ByteLevelAlphabet.encode(text));
                return;
            }
            List<String> words = new ArrayList<>();
            wordPattern.split(text, firstSection, words);
            for (String word : words) {
                out.add(ByteLevelAlphabet.encode(word));
            }
        };
    }

    /**
     * {@code Metaspace} without {@code split}: every space becomes {@code replacement}, and the piece
     * gets a leading one unless it has one already, always or only when it starts the input.
     */
    static PreTokenizer metaspace(String replacement, boolean prependAlways, boolean prependFirst) {
        return (text, firstSection, out) -> {
            String replaced = text.replace(" ", replacement);
            boolean prepend = (prependAlways || (prependFirst && firstSection)) && !replaced.startsWith(replacement);
            out.add(prepend ? replacement + replaced : replaced);
        };
    }
}
