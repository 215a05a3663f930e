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
}
