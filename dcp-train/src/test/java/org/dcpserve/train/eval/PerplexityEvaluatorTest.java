package org.dcpserve.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.ReferenceTransformer;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import org.junit.jupiter.api.Test;

class PerplexityEvaluatorTest {

    private static final ModelConfig CONFIG = RandomModels.llamaConfig();
    private static final ModelWeights WEIGHTS = RandomModels.weights(CONFIG, 31);

    @Test
    void densePerplexityIsTheReferenceModelsAndSlidingWindowSparsityIsItsFormula() {
        SplittableRandom random = new SplittableRandom(4);
        List<int[]> sequences = List.of(random.ints(40, 0, CONFIG.vocabSize()).toArray(),
                random.ints(23, 0, CONFIG.vocabSize()).toArray());
        try (OnnxTransformer model = new OnnxTransformer(CONFIG, GraphSet.build(CONFIG, WEIGHTS), ExecutionProvider.CPU)) {
            PerplexityEvaluator evaluator = new PerplexityEvaluator(model);

            PerplexityEvaluator.Result dense = evaluator.evaluate(sequences, DensePolicy.INSTANCE);
            assertThat(dense.perplexity()).isCloseTo(referencePerplexity(sequences), within(1e-3));
            assertThat(dense.tokens()).isEqualTo(39 + 22);
            assertThat(dense.sparsity()).isZero();
            assertThat(dense.kvBytesFraction()).isEqualTo(1.0);

            PerplexityEvaluator.Result window = evaluator.evaluate(sequences, new SlidingWindowPolicy(6));
            assertThat(window.sparsity()).isCloseTo(SlidingWindows.sparsity(new int[] {40, 23}, 6), within(1e-12));
            assertThat(window.perplexity()).isNotCloseTo(dense.perplexity(), within(1e-3));
        }
    }

    @Test
    void theMatchedWindowReachesTheTargetSparsity() {
        int[] lengths = {256, 256, 180, 90};
        int window = SlidingWindows.windowFor(lengths, 0.75);
        assertThat(SlidingWindows.sparsity(lengths, window)).isCloseTo(0.75, within(0.01));
        assertThat(SlidingWindows.sparsity(lengths, window + 1)).isLessThan(SlidingWindows.sparsity(lengths, window));
        assertThat(SlidingWindows.sparsity(100, 100)).isZero();
        assertThat(SlidingWindows.sparsity(100, 1)).isEqualTo(1.0);
    }

    private static double referencePerplexity(List<int[]> sequences) {
        double nll = 0;
        int count = 0;
        for (int[] tokens : sequences) {
            double[][] logits = new ReferenceTransformer(CONFIG, WEIGHTS).logits(tokens);
            for (int t = 0; t + 1 < tokens.length; t++) {
                double max = java.util.Arrays.stream(logits[t]).max().orElseThrow();
                double sum = java.util.Arrays.stream(logits[t]).map(v -> Math.exp(v - max)).sum();
                nll -= logits[t][tokens[t + 1]] - max - Math.log(sum);
                count++;
            }
        }
        return Math.exp(nll / count);
    }
}
