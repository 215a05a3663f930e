package org.dcpserve.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter.Spec;
import org.dcpserve.core.importer.HfLlamaReference;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.train.DjlRuntime;
import org.dcpserve.train.train.BaseModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trainer's model of a Hugging Face Llama-family directory, loaded as {@code dcp-train train --base} loads it,
 * computes that model: without gates its logits equal a forward pass written from Hugging Face's equations
 * ({@link HfLlamaReference}, which shares no code with the trainer or the engine) on a checkpoint the test writes in
 * Hugging Face's layout.
 */
class HuggingFaceForwardTest {

    private static final double TOLERANCE = 1e-4;
    /** Longer than the llama3 spec's original context (32), so positions reach every band of its scaling. */
    private static final int LENGTH = 48;

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        DjlRuntime.pytorch(2);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static Stream<Arguments> checkpoints() {
        return Stream.of(
                // Qwen3: per-head q/k norms, head_dim 16 (q 64 wide, hidden 32), linear rope scaling, tied head.
                Arguments.of("qwen3", new Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16, 48, 103, 64, 1e6,
                        Map.of("type", "linear", "factor", 2.0), true, null, "F32", false)),
                // Llama 3.1: GQA, llama3 frequency scaling with wavelengths in all three of its bands, untied head.
                Arguments.of("llama", new Spec("LlamaForCausalLM", 2, 64, 4, 2, null, 96, 101, 128, 10000,
                        Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                                "original_max_position_embeddings", 32), false, null, "F32", false)),
                // Qwen2: q/k/v biases, tied head, BF16 in two shards.
                Arguments.of("qwen2", new Spec("Qwen2ForCausalLM", 2, 32, 4, 2, null, 64, 97, 64, 1e6, null, true, null,
                        "BF16", true)),
                // Mistral: one KV head for four query heads, F16, a sliding window longer than the sequence.
                Arguments.of("mistral", new Spec("MistralForCausalLM", 2, 32, 4, 1, null, 48, 89, 64, 1e6, null, false,
                        56, "F16", false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void withoutGatesTheLogitsAreHuggingFacesEquations(String name, Spec spec) throws IOException {
        Path checkpoint = dir.resolve(name);
        Map<String, FloatTensor> tensors = HfLlamaCheckpointWriter.write(checkpoint, spec, 7);
        int[] ids = new SplittableRandom(3).ints(LENGTH, 0, spec.vocab()).toArray();
        double[][] expected = new HfLlamaReference(spec, tensors).logits(ids);

        BaseModel base = BaseModel.load(checkpoint);
        try (DcpTransformer model = DcpTransformer.create(manager, base.config(), base.weights(), GateSetup.none())) {
            assertThat(model.tiedHead()).isEqualTo(spec.tied());
            float[] actual = model.logits(ids, MaskMode.DENSE);                  // [n * V]
            assertThat(actual).hasSize(ids.length * spec.vocab());
            double maxDiff = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < spec.vocab(); v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(actual[t * spec.vocab() + v] - expected[t][v]));
                }
            }
            assertThat(maxDiff).as("max |DJL - reference| logits").isLessThanOrEqualTo(TOLERANCE);
        }
    }
}
