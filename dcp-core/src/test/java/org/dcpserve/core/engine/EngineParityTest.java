package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-layer ONNX engine with its Java-held cache computes what the plain-Java reference does. */
class EngineParityTest {

    private static final double TOLERANCE = 1e-4;
    private static final int DECODE_STEPS = 20;

    static Stream<ModelConfig> architectures() {
        return Stream.of(RandomModels.llamaConfig(), RandomModels.gpt2Config());
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void prefillAndDecodeMatchFullRecomputation(ModelConfig config) {
        ModelWeights weights = RandomModels.weights(config, 42);
        ReferenceTransformer reference = new ReferenceTransformer(config, weights);
        SplittableRandom random = new SplittableRandom(7);
        int promptLength = 9;
        int[] tokens = random.ints(promptLength + DECODE_STEPS, 0, config.vocabSize()).toArray();
        double[][] expected = reference.logits(tokens);

        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
            float[] prefill = sequence.forwardAll(java.util.Arrays.copyOf(tokens, promptLength));
            for (int i = 0; i < promptLength; i++) {
                assertClose(prefill, i * config.vocabSize(), expected[i], "prefill position " + i);
            }
            for (int step = 0; step < DECODE_STEPS; step++) {
                int position = promptLength + step;
                float[] logits = sequence.forward(tokens[position]);
                assertClose(logits, 0, expected[position], "decode step " + step);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void refusesToGrowPastTheContextLength(ModelConfig config) {
        ModelWeights weights = RandomModels.weights(config, 1);
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
            sequence.forward(new int[config.contextLength()]);
            assertThatThrownBy(() -> sequence.forward(3))
                    .isInstanceOf(ContextLengthExceededException.class)
                    .hasMessageContaining("context length is " + config.contextLength());
        }
    }

    private static void assertClose(float[] actual, int offset, double[] expected, String where) {
        double maxDiff = 0;
        for (int v = 0; v < expected.length; v++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[offset + v] - expected[v]));
        }
        assertThat(maxDiff).as("max |engine - reference| at %s", where).isLessThanOrEqualTo(TOLERANCE);
    }
}
