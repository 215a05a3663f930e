package org.dcpserve.train.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Plain-text normalisation and sentence chunking shared by every corpus source. */
final class Text {

    private static final Pattern SPACES = Pattern.compile("[ \\t\\u00A0]+");
    /** A sentence ends at . ! or ? (maybe followed by a closing quote or bracket) before a space and a capital or digit. */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?][\"')\\]]?)\\s+(?=[\"'(\\[]?[A-Z0-9])");

    private Text() {
    }

    /** Straight quotes, plain dashes left as they are, runs of spaces folded, each line trimmed. */
    static String normalize(String text) {
        String straight = text.replace('\u2018', '\'').replace('\u2019', '\'')
                .replace('\u201C', '"').replace('\u201D', '"')
                .replace('\u2011', '-').replace("\r", "");
        StringBuilder out = new StringBuilder();
        for (String line : straight.split("\n")) {
            String folded = SPACES.matcher(line).replaceAll(" ").strip();
            if (!folded.isEmpty()) {
                out.append(out.isEmpty() ? "" : "\n").append(folded);
            }
        }
        return out.toString();
    }

    /**
     * Cuts a document into chunks of whole sentences of at least {@code minWords} words (the last chunk
     * of a document may be shorter), keeping paragraph breaks inside a chunk.
     */
    static List<String> chunks(String document, int minWords) {
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int words = 0;
        String[] paragraphs = document.split("\n");
        for (int p = 0; p < paragraphs.length; p++) {
            for (String sentence : SENTENCE_END.split(paragraphs[p])) {
                if (!chunk.isEmpty()) {
                    chunk.append(chunk.charAt(chunk.length() - 1) == '\n' ? "" : " ");
                }
                chunk.append(sentence);
                words += sentence.split(" ").length;
                if (words >= minWords) {
                    chunks.add(chunk.toString().strip());
                    chunk.setLength(0);
                    words = 0;
                }
            }
            if (!chunk.isEmpty()) {
                chunk.append('\n');
            }
        }
        if (!chunk.toString().isBlank()) {
            chunks.add(chunk.toString().strip());
        }
        return chunks;
    }
}
