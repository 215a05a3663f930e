package org.dcpserve.core.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.ReferenceTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property that proves pruning is real and correct: generating with the pruned, compacted cache
 * gives the logits of a dense recomputation of the whole sequence with the additive mask log I built
 * from the same hard decisions; and the decisions are the ones the gate equations give.
 */
class PruningExactnessTest {

    private static final double TOLERANCE = 1e-4;
    private static final int PROMPT = 12;
    private static final int DECODE_STEPS = 36;
    private static final int RANK = 8;
    /** Scores closer to 0 than this may flip between float32 and double; such pairs are not compared. */
    private static final double AMBIGUOUS = 1e-3;

    static Stream<Arguments> policies() {
        return Stream.of(RandomModels.llamaConfig(), RandomModels.gpt2Config()).flatMap(base -> {
            ModelConfig config = base.withDcp(new ModelConfig.DcpSpec(RANK, filled(base.layers(), 1.2f)));
            return Stream.of(
                    Arguments.of(config.architecture().id() + " dcp", config,
                            (Function<ModelConfig, PruningPolicy>) c -> new DcpGatePolicy(c.dcp())),
                    Arguments.of(config.architecture().id() + " sliding window", config,
                            (Function<ModelConfig, PruningPolicy>) c -> new SlidingWindowPolicy(7)),
                    Arguments.of(config.architecture().id() + " dense", config,
                            (Function<ModelConfig, PruningPolicy>) c -> DensePolicy.INSTANCE));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void prunedGenerationEqualsDenseRecomputationWithTheSameHardMask(String name, ModelConfig config,
                                                                     Function<ModelConfig, PruningPolicy> policyFor) {
        ModelWeights weights = RandomModels.weights(config, 2024);
        PruningPolicy policy = policyFor.apply(config);
        int[] tokens = new SplittableRandom(3).ints(PROMPT + DECODE_STEPS, 0, config.vocabSize()).toArray();
        float[][] engineLogits = new float[tokens.length][];
        Sequence sequence;
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            sequence = new Sequence(model, policy);
            float[] prefill = sequence.forwardAll(Arrays.copyOf(tokens, PROMPT));
            for (int i = 0; i < PROMPT; i++) {
                engineLogits[i] = Arrays.copyOfRange(prefill, i * config.vocabSize(), (i + 1) * config.vocabSize());
            }
            for (int position = PROMPT; position < tokens.length; position++) {
                engineLogits[position] = sequence.forward(tokens[position]);
            }
        }
        List<DropEvent> drops = sequence.drops();
        PruningReport report = sequence.report();

        ReferenceTransformer reference = new ReferenceTransformer(config, weights);
        double[][] expected = reference.logits(tokens, logKeep(config.layers(), tokens.length, drops));
        double maxDiff = 0;
        for (int position = 0; position < tokens.length; position++) {
            for (int v = 0; v < config.vocabSize(); v++) {
                maxDiff = Math.max(maxDiff, Math.abs(engineLogits[position][v] - expected[position][v]));
            }
        }
        assertThat(maxDiff).as("max |pruned engine - masked dense reference|").isLessThanOrEqualTo(TOLERANCE);

        assertNoTokenDroppedTwiceAndDroppersAreLater(drops);
        switch (policy) {
            case DensePolicy dense -> assertThat(drops).isEmpty();
            case SlidingWindowPolicy window -> assertThat(drops).allSatisfy(
                    drop -> assertThat(drop.dropperPosition() - drop.position()).isEqualTo(window.window()));
            default -> {
                assertThat(report.sparsity()).as("a sizeable share of the context is pruned").isGreaterThan(0.3);
                assertDecisionsFollowTheGate(config, reference.interactionScores(), drops, tokens.length);
            }
        }
        for (int layer = 0; layer < config.layers(); layer++) {
            int current = layer;
            int dropped = (int) drops.stream().filter(d -> d.layer() == current).count();
            assertThat(report.layers().get(layer).kept() + dropped).isEqualTo(tokens.length);
            assertThat(sequence.cache(layer).liveCount()).isEqualTo(tokens.length - dropped);
        }
    }

    /** For every token, the first later token whose score is not above 0 dropped it, in the reference's own math. */
    private static void assertDecisionsFollowTheGate(ModelConfig config, double[][][] scores, List<DropEvent> drops,
                                                     int length) {
        Map<String, Integer> dropperOf = new HashMap<>();
        drops.forEach(d -> dropperOf.put(d.layer() + ":" + d.position(), d.dropperPosition()));
        int compared = 0;
        for (int layer = 0; layer < config.layers(); layer++) {
            double beta = config.dcp().beta()[layer];
            for (int j = 0; j < length; j++) {
                Integer expectedDropper = null;
                boolean ambiguous = false;
                for (int m = j + 1; m < length && expectedDropper == null; m++) {
                    double score = scores[layer][m][j] + beta;
                    ambiguous |= Math.abs(score) < AMBIGUOUS;
                    if (score <= 0) {
                        expectedDropper = m;
                    }
                }
                if (!ambiguous) {
                    compared++;
                    assertThat(dropperOf.get(layer + ":" + j)).as("dropper of token %d in layer %d", j, layer)
                            .isEqualTo(expectedDropper);
                }
            }
        }
        assertThat(compared).isGreaterThan(config.layers() * length * 9 / 10);
    }

    private static void assertNoTokenDroppedTwiceAndDroppersAreLater(List<DropEvent> drops) {
        assertThat(drops.stream().map(d -> d.layer() + ":" + d.position()).distinct().count()).isEqualTo(drops.size());
        assertThat(drops).allSatisfy(d -> assertThat(d.dropperPosition()).isGreaterThan(d.position()));
    }

    /** log I from drop events: token j dropped by voter m is masked (-inf) for every query k >= m. */
    static double[][][] logKeep(int layers, int length, List<DropEvent> drops) {
        double[][][] mask = new double[layers][length][length];
        for (DropEvent drop : drops) {
            for (int k = drop.dropperPosition(); k < length; k++) {
                mask[drop.layer()][k][drop.position()] = Double.NEGATIVE_INFINITY;
            }
        }
        return mask;
    }

    static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }
}
