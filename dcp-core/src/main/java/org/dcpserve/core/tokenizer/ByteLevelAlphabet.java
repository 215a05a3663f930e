package org.dcpserve.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's mapping of the 256 byte values to printable characters, which byte-level vocabularies in
 * {@code tokenizer.json} are written in: the printable Latin-1 bytes ({@code '!'..'~'},
 * {@code '¡'..'¬'}, {@code '®'..'ÿ'}) stand for themselves, and every other byte, in order, for
 * U+0100 onwards (the space 0x20 is {@code 'Ġ'} U+0120, the newline 0x0A is {@code 'Ċ'} U+010A).
 */
final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = new char[256];
    /** The byte of each character below {@link #LIMIT}, or -1 for a character no byte maps to. */
    private static final int[] BYTE_OF_CHAR;
    private static final int LIMIT = 0x144; // 256 + the 68 bytes that are not printable Latin-1

    static {
        BYTE_OF_CHAR = new int[LIMIT];
        Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The UTF-8 bytes of {@code text}, one character per byte. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = charOf(bytes[i] & 0xFF);
        }
        return new String(chars);
    }

    /** The bytes {@code text} stands for, or null when a character of it is not in the alphabet. */
    static byte[] decode(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b = c < LIMIT ? BYTE_OF_CHAR[c] : -1;
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    /** The character that stands for byte {@code b}. */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b];
    }
}
