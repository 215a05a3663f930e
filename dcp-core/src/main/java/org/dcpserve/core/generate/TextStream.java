package org.dcpserve.core.generate;

import java.util.Arrays;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * The text of a generation as tokens arrive, decoded incrementally: each new token decodes only a short
 * window (the tokens since the text last became whole, plus the one before them for context, which keeps
 * word-boundary spaces right), so a token costs the same at position 10 and at position 2000. A token that
 * ends inside a multi-byte character leaves the text ending in U+FFFD until a later token completes it.
 */
final class TextStream {

    private static final char INCOMPLETE = '\uFFFD';

    private final Tokenizer tokenizer;
    private int[] tokens;
    private int count;
    /** The window [prefixStart, count): tokens up to readStart are settled text; prefixStart gives context. */
    private int prefixStart;
    private int readStart;
    /** The generated text: settled characters, then the text of the unsettled tokens. */
    private final StringBuilder text = new StringBuilder();
    private int settled;

    /** @param prompt the prompt tokens, which are context and not part of the text */
    TextStream(Tokenizer tokenizer, int[] prompt) {
        this.tokenizer = tokenizer;
        this.tokens = Arrays.copyOf(prompt, prompt.length + 16);
        this.count = prompt.length;
        this.readStart = prompt.length;
        this.prefixStart = Math.max(0, prompt.length - 1);
    }

    void append(int token) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, 2 * tokens.length);
        }
        tokens[count++] = token;
        String before = decode(prefixStart, readStart);
        String after = decode(prefixStart, count);
        String tail = after.startsWith(before) ? after.substring(before.length()) : decode(readStart, count);
        text.setLength(settled);
        text.append(tail);
        if (!endsIncomplete()) {
            settled = text.length();
            prefixStart = readStart == 0 ? 0 : readStart - 1;
            readStart = count;
        }
    }

    /** The generated text so far; it may end in U+FFFD while a character is incomplete. */
    CharSequence text() {
        return text;
    }

    /** Where {@code part} first occurs in the text at or after {@code from}, or -1. */
    int indexOf(String part, int from) {
        return text.indexOf(part, from);
    }

    /** Characters that no later token can change. */
    int settledLength() {
        return settled;
    }

    boolean endsIncomplete() {
        return !text.isEmpty() && text.charAt(text.length() - 1) == INCOMPLETE;
    }

    /** Cuts the text after {@code end} characters (a stop string ends there); the stream is finished then. */
    void cut(int end) {
        text.setLength(end);
    }

    private String decode(int from, int to) {
        return tokenizer.decode(Arrays.copyOfRange(tokens, from, to));
    }
}
