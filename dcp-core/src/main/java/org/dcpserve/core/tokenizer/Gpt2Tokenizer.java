package org.dcpserve.core.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-level BPE. jtokkit's {@code r50k_base} encoding is exactly GPT-2's vocabulary and
 * merges, so no tokenizer file is needed in a model package.
 */
public final class Gpt2Tokenizer implements Tokenizer {

    /** {@code <|endoftext|>}, GPT-2's only special token, used as the end of a generation. */
    public static final int EOS_ID = 50256;
    public static final int VOCAB_SIZE = 50257;

    // Lazy registry: loads only r50k_base instead of all bundled encodings. Encodings are thread-safe.
    private static final Encoding ENCODING =
            Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    /**
     * Ordinary encoding: text such as {@code <|endoftext|>} typed by a user is split like any other
     * text, so user input can never inject the end-of-text token.
     */
    @Override
    public int[] encode(String text) {
        return ENCODING.encodeOrdinary(text).toArray();
    }

    /**
     * Decodes the concatenated bytes of all tokens, so a character whose UTF-8 bytes are split over
     * several tokens comes out whole; only genuinely malformed bytes become U+FFFD.
     */
    @Override
    public String decode(int[] ids) {
        return new String(bytes(ids), StandardCharsets.UTF_8);
    }

    /** The token's text, or {@code <0xNN>} per byte when the token alone is not complete UTF-8. */
    @Override
    public String tokenText(int id) {
        return TokenTexts.readable(bytes(new int[] {id}));
    }

    /** A safe bound: no r50k_base token decodes to more characters (checked over the whole vocabulary by a test). */
    @Override
    public int maxTokenChars() {
        return 256;
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    private static byte[] bytes(int[] ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int id : ids) {
            // jtokkit reports unknown ids with a NullPointerException; say what is wrong instead.
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new IllegalArgumentException("token id " + id + " is outside the GPT-2 vocabulary [0, " + VOCAB_SIZE + ")");
            }
            list.add(id);
        }
        return ENCODING.decodeBytes(list);
    }
}
