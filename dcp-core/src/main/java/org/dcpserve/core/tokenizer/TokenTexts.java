package org.dcpserve.core.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** How byte-level tokens are shown in traces and the web view. */
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
}
