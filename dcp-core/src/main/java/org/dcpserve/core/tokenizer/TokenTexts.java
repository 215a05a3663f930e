package org.dcpserve.core.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** How byte-level tokens are shown in traces and the web view, and what byte-fallback pieces stand for. */
final class TokenTexts {

    private TokenTexts() {
    }

    /** The token's bytes as text when they are complete UTF-8 on their own, else {@code <0xNN>} per byte. */
    static String readable(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            StringBuilder text = new StringBuilder();
            for (byte b : bytes) {
                text.append(String.format("<0x%02X>", b & 0xFF));
            }
            return text.toString();
        }
    }

    /** The byte a byte-fallback piece {@code <0xNN>} stands for (two hex digits, either case), or -1 for any other piece. */
    static int byteFallbackValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(piece.charAt(3), 16);
        int low = Character.digit(piece.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }
}
