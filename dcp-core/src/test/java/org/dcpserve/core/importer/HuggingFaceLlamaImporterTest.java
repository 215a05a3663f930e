package org.dcpserve.core.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dcpserve.core.importer.HfLlamaArchitectures.LLAMA;
import static org.dcpserve.core.importer.HfLlamaArchitectures.MISTRAL;
import static org.dcpserve.core.importer.HfLlamaArchitectures.QWEN2;
import static org.dcpserve.core.importer.HfLlamaArchitectures.QWEN3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter.Spec;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A checkpoint of each supported architecture, written in Hugging Face's layout with random weights, runs in the
 * engine with the logits of a forward pass written from Hugging Face's equations ({@link HfLlamaReference}),
 * prompt and decode steps alike, and decodes the same greedy ids.
 */
class HuggingFaceLlamaImporterTest {

    private static final double TOLERANCE = 1e-4;
    private static final int[] PROMPT = {5, 17, 3, 44, 9, 0, 12};
    private static final int DECODE_STEPS = 9;
    private static final long SEED = 7;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;

    static Stream<Arguments> checkpoints() {
        return Stream.of(Arguments.of("llama", LLAMA), Arguments.of("mistral", MISTRAL), Arguments.of("qwen2", QWEN2),
                Arguments.of("qwen3", QWEN3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void runsWithTheLogitsAndGreedyIdsOfHuggingFacesEquations(String name, Spec spec) throws IOException {
        Path dir = temp.resolve(name);
        Map<String, FloatTensor> tensors = HfLlamaCheckpointWriter.write(dir, spec, SEED);
        int[] ids = Arrays.copyOf(PROMPT, PROMPT.length + DECODE_STEPS);
        float[][] engine = new float[ids.length][];
        // As serving runs it: every weight read from the files while its session is built, a tied head from the
        // embedding table the embedding graph reads too (Qwen2 here).
        try (StreamedCheckpoint model = HuggingFaceLlamaImporter.open(dir);
             OnnxTransformer onnx = new OnnxTransformer(model.config(), GraphSet.build(model.config(), model.weights()),
                     ExecutionProvider.CPU)) {
            Sequence sequence = new Sequence(onnx, DensePolicy.INSTANCE);
            float[] prefill = sequence.forwardAll(PROMPT);
            for (int t = 0; t < PROMPT.length; t++) {
                engine[t] = Arrays.copyOfRange(prefill, t * spec.vocab(), (t + 1) * spec.vocab());
            }
            for (int t = PROMPT.length; t < ids.length; t++) {
                float[] previous = engine[t - 1];
                ids[t] = argmax(spec.vocab(), v -> previous[v]);                        // greedy
                engine[t] = sequence.forward(ids[t]);
            }
        }

        double[][] expected = new HfLlamaReference(spec, tensors).logits(ids);
        double maxDiff = 0;
        for (int t = 0; t < ids.length; t++) {
            for (int v = 0; v < spec.vocab(); v++) {
                maxDiff = Math.max(maxDiff, Math.abs(engine[t][v] - expected[t][v]));
            }
        }
        System.out.printf("%s: max |engine - reference logit| = %.3g over %d positions%n", name, maxDiff, ids.length);
        assertThat(maxDiff).as("max |engine - Hugging Face reference|").isLessThanOrEqualTo(TOLERANCE);
        for (int t = PROMPT.length; t < ids.length; t++) {
            double[] previous = expected[t - 1];
            assertThat(ids[t]).as("greedy id at position %d", t).isEqualTo(argmax(spec.vocab(), v -> previous[v]));
        }
        double spread = Arrays.stream(expected[ids.length - 1]).max().orElseThrow()
                - Arrays.stream(expected[ids.length - 1]).min().orElseThrow();
        assertThat(spread).as("logits that tell tokens apart").isGreaterThan(1);
    }

    @Test
    void readsEachFamilysOptionsIntoTheConfig() throws IOException {
        ModelConfig llama = importConfig("llama", LLAMA);
        assertThat(llama.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(llama.ropeLayout()).isEqualTo(ModelConfig.RopeLayout.HALVES);
        assertThat(llama.ropeScaling()).isEqualTo(new ModelConfig.RopeScaling("llama3", 8, 1.0, 4.0, 32));
        assertThat(llama.kvHeads()).isEqualTo(2);
        assertThat(llama.contextLength()).isEqualTo(128);
        assertThat(llama.normEps()).isEqualTo(1e-6f);
        assertThat(llama.tokenizer()).isEqualTo(new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.HUGGING_FACE, 1, 2));
        assertThat(llama.provenance().importer()).isEqualTo(HuggingFaceLlamaImporter.IMPORTER);

        ModelConfig mistral = importConfig("mistral", MISTRAL);
        assertThat(mistral.contextLength()).as("capped at the sliding window").isEqualTo(48);

        ModelConfig qwen2 = importConfig("qwen2", QWEN2);
        assertThat(qwen2.attentionBias()).isTrue();
        assertThat(qwen2.qkNorm()).isFalse();
        assertThat(qwen2.tokenizer().bosId()).as("Qwen prepends no BOS").isNull();

        ModelConfig qwen3 = importConfig("qwen3", QWEN3);
        assertThat(qwen3.qkNorm()).isTrue();
        assertThat(qwen3.attentionBias()).isFalse();
        assertThat(qwen3.headDim()).isEqualTo(16);
        assertThat(qwen3.qDim()).isEqualTo(64);
        assertThat(qwen3.ropeScaling()).isEqualTo(new ModelConfig.RopeScaling("linear", 2, null, null, null));
    }

    @Test
    void aTiedHeadIsTheEmbeddingAndAnUntiedOneIsLmHead() throws IOException {
        Map<String, FloatTensor> tied = HfLlamaCheckpointWriter.write(temp.resolve("tied"), QWEN2, SEED);
        assertThat(tied).doesNotContainKey("lm_head.weight");
        assertThat(HuggingFaceLlamaImporter.load(temp.resolve("tied")).weights().get("lm_head"))
                .isEqualTo(tied.get("model.embed_tokens.weight").transpose());
        Map<String, FloatTensor> untied = HfLlamaCheckpointWriter.write(temp.resolve("untied"), LLAMA, SEED);
        assertThat(HuggingFaceLlamaImporter.load(temp.resolve("untied")).weights().get("lm_head"))
                .isEqualTo(untied.get("lm_head.weight").transpose());
    }

    @Test
    void anUnknownArchitectureIsNamed() throws IOException {
        assertOneLineError(withConfig("gemma", LLAMA, c -> c.putArray("architectures").add("GemmaForCausalLM")),
                IllegalArgumentException.class, "config.json field 'architectures'", "GemmaForCausalLM", "LlamaForCausalLM");
    }

    @Test
    void anUnsupportedRopeScalingTypeIsNamed() throws IOException {
        assertOneLineError(withConfig("yarn", LLAMA, c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)),
                IllegalArgumentException.class, "'rope_scaling'", "'yarn'");
        assertOneLineError(withConfig("dynamic", LLAMA, c -> c.putObject("rope_scaling").put("type", "dynamic").put("factor", 4.0)),
                IllegalArgumentException.class, "'rope_scaling'", "'dynamic'");
    }

    @Test
    void aMissingTensorIsNamedWithItsFile() throws IOException {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(HfLlamaCheckpointWriter.tensors(LLAMA, SEED));
        tensors.remove("model.layers.1.mlp.up_proj.weight");
        Path dir = temp.resolve("missing");
        HfLlamaCheckpointWriter.write(dir, LLAMA, tensors);
        assertOneLineError(dir, IllegalArgumentException.class, "model.safetensors has no tensor 'model.layers.1.mlp.up_proj.weight'");

        Map<String, FloatTensor> untied = new LinkedHashMap<>(HfLlamaCheckpointWriter.tensors(QWEN3, SEED));
        untied.remove("lm_head.weight");
        HfLlamaCheckpointWriter.write(temp.resolve("no-head"), QWEN3, untied);
        assertOneLineError(temp.resolve("no-head"), IllegalArgumentException.class, "no tensor 'lm_head.weight'");
    }

    @Test
    void aShapeMismatchIsNamedWithBothShapes() throws IOException {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(HfLlamaCheckpointWriter.tensors(QWEN2, SEED));
        tensors.put("model.layers.0.self_attn.k_proj.weight", FloatTensor.zeros(32, 32));
        Path dir = temp.resolve("shape");
        HfLlamaCheckpointWriter.write(dir, QWEN2, tensors);
        assertOneLineError(dir, IllegalArgumentException.class, "model-0000", ".safetensors: tensor 'model.layers.0.self_attn.k_proj.weight'",
                "[32, 32], expected [16, 32]");
    }

    @Test
    void anUnsupportedDtypeIsNamedWithItsFile() throws IOException {
        Path dir = temp.resolve("int8");
        HfLlamaCheckpointWriter.write(dir, MISTRAL, SEED);
        SafetensorsFiles.write(dir.resolve("model.safetensors"),
                "{\"model.embed_tokens.weight\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        assertOneLineError(dir, IOException.class, "model.safetensors", "'model.embed_tokens.weight'", "dtype 'I8'");
    }

    @Test
    void otherUnsupportedOptionsAreNamed() throws IOException {
        assertOneLineError(withConfig("gelu", LLAMA, c -> c.put("hidden_act", "gelu")), IllegalArgumentException.class,
                "hidden_act 'gelu'");
        assertOneLineError(withConfig("bias", LLAMA, c -> c.put("attention_bias", true)), IllegalArgumentException.class,
                "attention_bias=true");
        Path noWeights = withConfig("no-weights", LLAMA, c -> { });
        Files.delete(noWeights.resolve("model.safetensors"));
        assertOneLineError(noWeights, IOException.class, "no-weights", "neither model.safetensors nor model.safetensors.index.json");
    }

    private ModelConfig importConfig(String name, Spec spec) throws IOException {
        HfLlamaCheckpointWriter.write(temp.resolve(name), spec, SEED);
        return HuggingFaceLlamaImporter.load(temp.resolve(name)).config();
    }

    /** A checkpoint of {@code spec} whose config.json has been edited. */
    private Path withConfig(String name, Spec spec, Consumer<ObjectNode> edit) throws IOException {
        Path dir = temp.resolve(name);
        HfLlamaCheckpointWriter.write(dir, spec, SEED);
        ObjectNode config = HfLlamaCheckpointWriter.config(spec);
        edit.accept(config);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
        return dir;
    }

    private static void assertOneLineError(Path dir, Class<? extends Exception> type, String... parts) {
        assertThatThrownBy(() -> ModelLoader.importCheckpoint(dir))
                .isInstanceOf(type)
                .satisfies(e -> assertThat(e.getMessage()).contains(parts).doesNotContain("\n"))
                // The checkpoint is named once, however deep the refusal was found.
                .satisfies(e -> assertThat(e.getMessage().split(" checkpoint ", -1)).hasSizeLessThanOrEqualTo(2));
    }

    /** The index of the largest of {@code count} values. */
    private static int argmax(int count, IntToDoubleFunction value) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (value.applyAsDouble(i) > value.applyAsDouble(best)) {
                best = i;
            }
        }
        return best;
    }
}
