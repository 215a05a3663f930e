package org.dcpserve.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one token of a {@code tokenizer.json} stands for in decoded text, as bytes: the decoders in
 * use ({@code ByteLevel}, or {@code Replace} then {@code ByteFallback}) each rewrite a token on its own,
 * so a token sequence decodes to the concatenation of its tokens' bytes, read as UTF-8. A character
 * split over several tokens (a byte-level emoji, byte-fallback CJK) then comes out whole, and a
 * sequence that stops inside one ends in U+FFFD, which streaming takes as "incomplete".
 */
interface TokenBytes {

    /** {@code ByteLevel}: the bytes the token's characters stand for; a token with other characters (an added token) is its own UTF-8. */
    TokenBytes BYTE_LEVEL = token -> {
        byte[] bytes = ByteLevelAlphabet.decode(token);
        return bytes != null ? bytes : token.getBytes(StandardCharsets.UTF_8);
    };

    byte[] of(String token);

    /** A {@code Replace} decoder: every {@code target} in the token becomes {@code replacement}. */
    record Replacement(String target, String replacement) {
    }

    /**
     * SentencePiece-style decoding: the replacements in order ({@code "▁"} back to a space), then, with
     * {@code byteFallback}, a token {@code <0xNN>} is the single byte NN.
     */
    static TokenBytes sentencePiece(List<Replacement> replacements, boolean byteFallback) {
        return token -> {
            for (Replacement r : replacements) {
                token = token.replace(r.target(), r.replacement());
            }
            int b = byteFallback ? TokenTexts.byteFallbackValue(token) : -1;
            return b >= 0 ? new byte[] {(byte) b} : token.getBytes(StandardCharsets.UTF_8);
        };
    }
}
