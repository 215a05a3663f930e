package org.dcpserve.core.tokenizer;

/** Turns text into token ids and back. Implementations are immutable and thread-safe. */
public interface Tokenizer {

    /** Token ids of {@code text}, without any BOS token. */
    int[] encode(String text);

    /** The text of a token sequence; invalid or partial UTF-8 becomes U+FFFD. */
    String decode(int[] ids);

    /** A readable rendering of one token for traces and the web view (e.g. " the", "&lt;0x0A&gt;"). */
    String tokenText(int id);

    int vocabSize();

    /**
     * An upper bound on the characters one token covers, so a caller can tell that a text is too long
     * for a token budget without encoding it (encoding cost grows faster than linearly).
     */
    int maxTokenChars();
}
