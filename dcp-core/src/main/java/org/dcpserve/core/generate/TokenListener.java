package org.dcpserve.core.generate;

/** Receives tokens as they are generated, for streaming. */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = (token, textDelta) -> { };

    /**
     * @param token     the new token
     * @param textDelta text that became final with this token (may be empty while a multi-byte character
     *                  is incomplete)
     */
    void onToken(GeneratedToken token, String textDelta);

    /**
     * The generation's last token, instead of {@link #onToken}: nothing follows it (end-of-sequence, a stop string
     * or max_new_tokens), so a stream can send every other token as soon as it exists and mark only this one final.
     */
    default void onLastToken(GeneratedToken token, String textDelta) {
        onToken(token, textDelta);
    }
}
