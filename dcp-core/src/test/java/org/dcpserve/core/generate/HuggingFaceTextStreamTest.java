package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.dcpserve.core.tokenizer.HuggingFaceReference;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Streamed text of the real Hugging Face tokenizers (fetched by {@link HuggingFaceReference}; skipped
 * without npm): fed one token at a time, as a generation is, the pieces a client receives concatenate
 * to the full decode, and none holds half a character (U+FFFD) or a space in the wrong place, for every
 * text of the reference set (emoji and ZWJ sequences, CJK split over byte-fallback tokens included).
 */
class HuggingFaceTextStreamTest {

    @ParameterizedTest
    @FieldSource("org.dcpserve.core.tokenizer.HuggingFaceReference#NAMES")
    void streamedPiecesAreWholeCharactersAndConcatenateToTheDecode(String name) {
        HuggingFaceTokenizer tokenizer = HuggingFaceReference.tokenizer(name);
        int[] bosOnly = tokenizer.bosId() == null ? new int[0] : new int[] {tokenizer.bosId()};
        int[] questionPrompt = concat(bosOnly, tokenizer.encode("Question: what is it?\nAnswer:"));
        int partialTokens = 0;
        for (String text : HuggingFaceReference.texts()) {
            int[] generated = tokenizer.encode(text);
            partialTokens += (int) IntStream.of(generated).filter(id -> tokenizer.decode(new int[] {id}).contains("\uFFFD")).count();
            for (int[] prompt : List.of(bosOnly, questionPrompt)) {
                List<String> pieces = stream(tokenizer, prompt, generated);
                String promptText = tokenizer.decode(prompt);
                String expected = tokenizer.decode(concat(prompt, generated)).substring(promptText.length());
                assertThat(String.join("", pieces)).as("%s, %s", name, text).isEqualTo(expected);
                assertThat(pieces).as("%s, %s", name, text).noneMatch(piece -> piece.contains("\uFFFD"));
            }
        }
        assertThat(partialTokens).as("tokens that are only part of a character, so the streaming had to wait").isGreaterThan(10);
    }

    /** The text deltas a listener gets, as {@link Decoding} computes them from the {@link TextStream}. */
    private static List<String> stream(HuggingFaceTokenizer tokenizer, int[] prompt, int[] generated) {
        TextStream text = new TextStream(tokenizer, prompt);
        List<String> pieces = new ArrayList<>();
        int emitted = 0;
        for (int token : generated) {
            text.append(token);
            int stable = text.endsIncomplete() ? emitted : text.text().length();
            if (stable > emitted) {
                pieces.add(text.text().subSequence(emitted, stable).toString());
                emitted = stable;
            }
        }
        return pieces;
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }
}
