package org.dcpserve.core.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the added tokens of a {@code tokenizer.json} (Qwen's {@code <think>}, Gemma's newline runs)
 * in raw text, before normalization, as Hugging Face's tokenizers do: at each position the longest
 * token that starts there, leftmost first. The text between them is encoded the ordinary way.
 */
final class AddedTokens {

    /** Receives the input cut into runs of ordinary text and added tokens, in order. */
    interface Sections {
        void text(String text, boolean first);

        void token(int id);
    }

    /** A trie over the tokens' characters; {@code id} is set where a token ends. */
    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        int id = -1;
    }

    private final Node root = new Node();
    /** The first characters of the tokens: most positions of a text start none, and this rules them out quickly. */
    private final BitSet firstChars = new BitSet();

    AddedTokens(Map<String, Integer> tokens) {
        tokens.forEach((content, id) -> {
            if (content.isEmpty()) {
                throw new IllegalArgumentException("an added token has empty content");
            }
            firstChars.set(content.charAt(0));
            Node node = root;
            for (int i = 0; i < content.length(); i++) {
                node = node.next.computeIfAbsent(content.charAt(i), c -> new Node());
            }
            node.id = id;
        });
    }

    /** Cuts {@code text} into ordinary text and added tokens, which go to {@code sections} in order. */
    void split(String text, Sections sections) {
        int textStart = 0;
        int section = 0;
        for (int i = 0; i < text.length(); ) {
            if (!firstChars.get(text.charAt(i))) {
                i++;
                continue;
            }
            int end = -1;
            int id = -1;
            Node node = root;
            for (int j = i; j < text.length() && (node = node.next.get(text.charAt(j))) != null; j++) {
                if (node.id >= 0) {
                    end = j + 1;
                    id = node.id;
                }
            }
            if (end < 0) {
                i++;
                continue;
            }
            if (i > textStart) {
                sections.text(text.substring(textStart, i), section++ == 0);
            }
            sections.token(id);
            section++;
            i = end;
            textStart = end;
        }
        if (textStart < text.length()) {
            sections.text(text.substring(textStart), section == 0);
        }
    }
}
