package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link HuggingFaceTokenizer} on small hand-made {@code tokenizer.json} files, which need no network:
 * the options each real family uses, and a clear refusal of what is not supported.
 * {@link HuggingFaceTokenizerReferenceTest} compares it with Hugging Face's library on real files.
 */
class HuggingFaceTokenizerTest {

    /** Ids of the byte-level file below: byte {@code b} is id {@code b}, then the merges' tokens, then the added ones. */
    private static final int HE = 256;
    private static final int LL = 257;
    private static final int HELL = 258;
    private static final int SPACE_W = 259;
    private static final int HELLO = 260;
    private static final int THINK = 261;
    private static final int BOS = 262;
    private static final int END = 263;

    @TempDir
    Path dir;

    @Test
    void mergesWrittenAsStringsOrAsPairsEncodeAlike() throws IOException {
        HuggingFaceTokenizer pairs = load(byteLevel(json -> { }), null);
        HuggingFaceTokenizer strings = load(byteLevel(json -> {
            ArrayNode merges = (ArrayNode) json.path("model").path("merges");
            for (int i = 0; i < merges.size(); i++) {
                merges.set(i, merges.get(i).get(0).stringValue() + " " + merges.get(i).get(1).stringValue());
            }
        }), null);
        assertThat(pairs.encode("hell well")).containsExactly(HELL, SPACE_W, 'e', LL);
        assertThat(strings.encode("hell well")).containsExactly(HELL, SPACE_W, 'e', LL);
    }

    @Test
    void ignoreMergesTakesAWordThatIsInTheVocabularyWhole() throws IOException {
        // "hello" is a token, but no merge makes it: the merges stop at "hell" + "o".
        assertThat(load(byteLevel(json -> { }), null).encode("hello")).containsExactly(HELL, 'o');
        HuggingFaceTokenizer ignoring = load(byteLevel(json -> ((ObjectNode) json.path("model")).put("ignore_merges", true)), null);
        assertThat(ignoring.encode("hello")).containsExactly(HELLO);
        assertThat(ignoring.encode("hello hello")).containsExactly(HELLO, ' ', HELL, 'o'); // "Ġhello" is no token
    }

    @Test
    void addedTokensAreFoundInTheTextButSpecialOnesAreOrdinaryText() throws IOException {
        HuggingFaceTokenizer tokenizer = load(byteLevel(json -> { }), null);
        assertThat(tokenizer.encode("a<think>b")).containsExactly('a', THINK, 'b');
        assertThat(tokenizer.encode("<|end|><bos>")).containsExactly('<', '|', 'e', 'n', 'd', '|', '>', '<', 'b', 'o', 's', '>');
        // A rendered chat template's text: its special tokens are found, and BOS is not added in front.
        assertThat(tokenizer.encodeWithSpecialTokens("<bos>a<think>b<|end|>")).containsExactly(BOS, 'a', THINK, 'b', END);
        assertThat(tokenizer.decode(new int[] {BOS, 'h', THINK, END})).isEqualTo("h<think>");
        assertThat(tokenizer.tokenText(END)).isEqualTo("<|end|>");
        assertThat(tokenizer.tokenText(SPACE_W)).isEqualTo(" w");
        assertThat(tokenizer.tokenText(0xE2)).isEqualTo("<0xE2>");
        assertThat(tokenizer.decode(tokenizer.encode("€"))).isEqualTo("€");
        assertThat(tokenizer.decode(new int[] {0xE2, 0x82})).isEqualTo("\uFFFD"); // unfinished: the stream waits
        assertThat(tokenizer.vocabSize()).isEqualTo(END + 1);
        assertThatThrownBy(() -> tokenizer.decode(new int[] {END + 1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bosComesFromTheTemplateUnlessTheConfigSaysOtherwise() throws IOException {
        HuggingFaceTokenizer noConfig = load(byteLevel(json -> { }), null);
        assertThat(noConfig.bosId()).isEqualTo(BOS);
        assertThat(noConfig.eosId()).isNull();

        HuggingFaceTokenizer noBos = load(byteLevel(json -> { }), """
                {"add_bos_token": false, "bos_token": "<bos>", "eos_token": {"content": "<|end|>"}}""");
        assertThat(noBos.bosId()).isNull();
        assertThat(noBos.eosId()).isEqualTo(END);

        HuggingFaceTokenizer configBos = load(byteLevel(json -> json.putNull("post_processor")), """
                {"add_bos_token": true, "bos_token": "<bos>", "eos_token": "<|end|>"}""");
        assertThat(configBos.bosId()).isEqualTo(BOS);
        assertThat(configBos.encode("hell")).containsExactly(HELL);
    }

    @Test
    void aConfigThatWantsEosAppendedIsRefused() {
        assertThatThrownBy(() -> load(byteLevel(json -> { }), "{\"add_eos_token\": true, \"eos_token\": \"<|end|>\"}"))
                .isInstanceOf(IOException.class)
                .hasMessage("tokenizer " + dir.resolve("tokenizer_config.json") + ": add_eos_token: true is not supported"
                        + " (encoding appends no tokens)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "normalizer     | {\"type\": \"NFKC\"}                 | normalizer type NFKC is not supported",
        "pre_tokenizer  | {\"type\": \"Whitespace\"}           | pre_tokenizer type Whitespace is not supported",
        "decoder        | {\"type\": \"WordPiece\"}            | decoder type WordPiece is not supported",
        "post_processor | {\"type\": \"BertProcessing\"}       | post_processor type BertProcessing is not supported",
        "model          | {\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.5]]} | model type Unigram is not supported",
        "pre_tokenizer  | {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"}, \"behavior\": \"Isolated\"} | \\w is not supported",
        "pre_tokenizer  | {\"type\": \"Split\", \"pattern\": {\"String\": \" \"}, \"behavior\": \"Contiguous\"} | pre_tokenizer Split with behavior Contiguous is not supported",
        "pre_tokenizer  | {\"type\": \"ByteLevel\", \"add_prefix_space\": true} | pre_tokenizer ByteLevel with add_prefix_space: true is not supported",
        "decoder        | {\"type\": \"Metaspace\", \"replacement\": \"_\"} | decoder type Metaspace is not supported",
    })
    void anUnsupportedComponentFailsTheLoadNamingIt(String field, String component, String message) {
        String file = byteLevel(json -> json.set(field, JsonFiles.JSON.readTree(component)));
        assertThatThrownBy(() -> load(file, null))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("tokenizer " + dir.resolve("tokenizer.json") + ": ")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anAddedTokenWithOptionsThatMatchDifferentlyIsRefused() {
        String file = byteLevel(json -> ((ObjectNode) json.path("added_tokens").get(0)).put("lstrip", true));
        assertThatThrownBy(() -> load(file, null)).isInstanceOf(IOException.class)
                .hasMessageEndingWith(": added token \"<think>\" with lstrip is not supported");
    }

    @Test
    void sentencePieceStyleFallsBackToBytesAndDropsTheDummyPrefixWhenDecoding() throws IOException {
        HuggingFaceTokenizer tokenizer = load(sentencePiece(), """
                {"add_bos_token": true, "bos_token": "<s>", "eos_token": "</s>"}""");
        int byteC3 = 3 + 0xC3;
        int byteA9 = 3 + 0xA9;
        assertThat(tokenizer.encode("a bé")).containsExactly(262, 259, 261, byteC3, byteA9); // ▁a ▁ b <0xC3> <0xA9>
        assertThat(tokenizer.decode(tokenizer.encode("a bé"))).isEqualTo("a bé");
        assertThat(tokenizer.decode(new int[] {1, 262, 2})).isEqualTo("a");
        assertThat(tokenizer.decode(new int[] {261, 262})).isEqualTo("b a");
        assertThat(tokenizer.tokenText(262)).isEqualTo(" a");
        assertThat(tokenizer.tokenText(3 + '\n')).isEqualTo("\n");
        assertThat(tokenizer.tokenText(byteC3)).isEqualTo("<0xC3>");
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
    }

    @Test
    void aSplitMergedWithPreviousEndsEachPieceWithItsMatch() {
        // As Hugging Face's: a match joins the text before it; a match right after another stands alone.
        var split = new SplitPreTokenizer(Pattern.compile(" "), SplitPreTokenizer.Behavior.MERGED_WITH_PREVIOUS);
        List<String> pieces = new ArrayList<>();
        split.split(" a  b c", true, pieces);
        assertThat(pieces).containsExactly(" ", "a ", " ", "b ", "c");
    }

    @Test
    void regexesMeanWhatOnigurumaMeans() {
        assertThat(OnigurumaRegex.compile("\\s+").matcher("\u0085\u3000\u2028 \t").matches()).isTrue();
        assertThat(OnigurumaRegex.compile("[^\\s\\p{L}]+").matcher("\u0085").matches()).isFalse();
        assertThat(OnigurumaRegex.compile("\\d+").matcher("٣३3").matches()).isTrue();
        assertThat(OnigurumaRegex.compile("(?i:'s|'t)").matcher("'S").matches()).isTrue();
        assertThatThrownBy(() -> OnigurumaRegex.compile("[[:alpha:]]+")).hasMessageContaining("POSIX bracket [:alpha:]");
    }

    private HuggingFaceTokenizer load(String tokenizerJson, String configJson) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        if (configJson != null) {
            Files.writeString(dir.resolve("tokenizer_config.json"), configJson);
        } else {
            Files.deleteIfExists(dir.resolve("tokenizer_config.json"));
        }
        return HuggingFaceTokenizer.load(dir);
    }

    /**
     * A byte-level file like Qwen's: GPT-2's characters for the 256 bytes, merges to "hell" and " w", a
     * token "hello" no merge makes, the added tokens {@code <think>} (not special) and {@code <bos>},
     * {@code <|end|>} (special), a template that puts {@code <bos>} first; {@code edit} changes it.
     */
    private static String byteLevel(Consumer<ObjectNode> edit) {
        ObjectNode json = JsonFiles.JSON.createObjectNode();
        ObjectNode model = json.putObject("model").put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), b);
        }
        vocab.put("he", HE).put("ll", LL).put("hell", HELL).put("Ġw", SPACE_W).put("hello", HELLO);
        ArrayNode merges = model.putArray("merges");
        merges.addArray().add("h").add("e");
        merges.addArray().add("l").add("l");
        merges.addArray().add("he").add("ll");
        merges.addArray().add("Ġ").add("w");
        ArrayNode added = json.putArray("added_tokens");
        added.addObject().put("id", THINK).put("content", "<think>").put("special", false).put("normalized", false);
        added.addObject().put("id", BOS).put("content", "<bos>").put("special", true);
        added.addObject().put("id", END).put("content", "<|end|>").put("special", true);
        json.putObject("normalizer").put("type", "NFC");
        ObjectNode preTokenizer = json.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = preTokenizer.putArray("pretokenizers");
        steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", " ?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        ObjectNode template = json.putObject("post_processor").put("type", "TemplateProcessing");
        template.putArray("single").add(specialToken("<bos>")).addObject().putObject("Sequence").put("id", "A");
        template.putObject("special_tokens").putObject("<bos>").put("id", "<bos>").putArray("ids").add(BOS);
        json.putObject("decoder").put("type", "ByteLevel");
        edit.accept(json);
        return JsonFiles.JSON.writeValueAsString(json);
    }

    /**
     * A SentencePiece-style file like Mistral's: {@code <unk> <s> </s>}, the byte-fallback tokens
     * {@code <0x00>..<0xFF>} (ids 3..258), then "▁", "a", "b" and "▁a" (259..262).
     */
    private static String sentencePiece() {
        ObjectNode json = JsonFiles.JSON.createObjectNode();
        ObjectNode model = json.putObject("model").put("type", "BPE").put("byte_fallback", true)
                .put("unk_token", "<unk>").put("fuse_unk", true);
        ObjectNode vocab = model.putObject("vocab").put("<unk>", 0).put("<s>", 1).put("</s>", 2);
        for (int b = 0; b < 256; b++) {
            vocab.put(HuggingFaceBpe.byteToken(b), 3 + b);
        }
        vocab.put("\u2581", 259).put("a", 260).put("b", 261).put("\u2581a", 262);
        model.putArray("merges").add("\u2581 a");
        ArrayNode added = json.putArray("added_tokens");
        added.addObject().put("id", 0).put("content", "<unk>").put("special", true);
        added.addObject().put("id", 1).put("content", "<s>").put("special", true);
        added.addObject().put("id", 2).put("content", "</s>").put("special", true);
        SentencePieceTokenizerWriter.addMetaspacePipeline(json);
        return JsonFiles.JSON.writeValueAsString(json);
    }

    private static ObjectNode specialToken(String name) {
        ObjectNode item = JsonFiles.JSON.createObjectNode();
        item.putObject("SpecialToken").put("id", name).put("type_id", 0);
        return item;
    }
}
