package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;

/**
 * {@link HuggingFaceTokenizer} against Hugging Face's tokenizers.js on four real files (Llama 3, Qwen3,
 * Gemma 3, Mistral 7B) and the varied texts of {@link HuggingFaceReference#texts()}: the same ids for
 * every text (with special tokens typed in it as text, and found as a chat template's text is encoded), the same
 * BOS, the same decoded text. Skipped where npm or node is missing or the npm
 * registry cannot be reached.
 */
class HuggingFaceTokenizerReferenceTest {

    @ParameterizedTest
    @FieldSource("org.dcpserve.core.tokenizer.HuggingFaceReference#NAMES")
    void encodesAndDecodesEveryTextAsTheReferenceDoes(String name) {
        HuggingFaceTokenizer tokenizer = HuggingFaceReference.tokenizer(name);
        JsonNode reference = HuggingFaceReference.reference(name);
        List<String> texts = HuggingFaceReference.texts();
        List<String> mismatches = new ArrayList<>();
        int roundTrips = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (!HuggingFaceReference.referenceIsRust(name, text)) {
                continue;
            }
            int[] ours = tokenizer.encode(text);
            int[] theirs = ids(reference.path("ids").get(i));
            if (!Arrays.equals(ours, theirs)) {
                mismatches.add("text " + i + " " + JsonFiles.quote(text) + ": ours " + Arrays.toString(ours)
                        + ", reference " + Arrays.toString(theirs));
            }
            // What the post-processor adds (with add_special_tokens) is BOS in front, when the file has one.
            int[] withBos = tokenizer.bosId() == null ? ours : prepend(tokenizer.bosId(), ours);
            assertThat(withBos).as("%s text %d with BOS", name, i).isEqualTo(ids(reference.path("idsWithSpecialTokens").get(i)));
            // As a rendered chat template is encoded: the special tokens in the text are those tokens, no BOS added.
            assertThat(tokenizer.encodeWithSpecialTokens(text)).as("%s text %d parsing special tokens", name, i)
                    .isEqualTo(ids(reference.path("idsParsingSpecialTokens").get(i)));
            String decoded = reference.path("decoded").get(i).stringValue();
            assertThat(tokenizer.decode(ours)).as("%s text %d %s decoded", name, i, JsonFiles.quote(text)).isEqualTo(decoded);
            if (decoded.equals(text)) {
                roundTrips++;
            }
        }
        assertThat(mismatches).as(name).isEmpty();
        // Most texts survive; those that do not are NFD text under NFC, and leading spaces or "▁" under SentencePiece.
        assertThat(roundTrips).as(name).isGreaterThan(texts.size() * 3 / 4);
    }

    @Test
    void theFilesSayWhichTokensBeginAndEndAText() {
        assertBosEos("llama3", null, 128001); // this Llama 3 file's post-processor adds no <|begin_of_text|>
        assertBosEos("qwen3", null, 151645); // <|im_end|>
        assertBosEos("gemma3", 2, 106); // <bos>, <end_of_turn>
        assertBosEos("llama2", 1, 2); // <s>, </s>
        assertThat(HuggingFaceReference.tokenizer("llama3").encode("Hello world, the Congress of the United States."))
                .containsExactly(9906, 1917, 11, 279, 8151, 315, 279, 3723, 4273, 13);
        HuggingFaceTokenizer mistral = HuggingFaceReference.tokenizer("llama2");
        assertThat(mistral.tokenText(28705)).isEqualTo(" "); // "▁"
        assertThat(mistral.encode(" ")).containsExactly(259); // "▁▁": the dummy prefix and the space
    }

    private static void assertBosEos(String name, Integer bos, int eos) {
        HuggingFaceTokenizer tokenizer = HuggingFaceReference.tokenizer(name);
        assertThat(tokenizer.bosId()).as(name).isEqualTo(bos);
        assertThat(tokenizer.eosId()).as(name).isEqualTo(eos);
    }

    private static int[] prepend(int first, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).intValue();
        }
        return ids;
    }
}
