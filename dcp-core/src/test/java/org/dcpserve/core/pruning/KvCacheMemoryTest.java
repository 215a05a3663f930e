package org.dcpserve.core.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.LayerKvCache;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With a gate that drops about 80% of the context, the caches really hold about a fifth of the bytes. */
class KvCacheMemoryTest {

    private static final int LENGTH = 200;
    private static final int PROMPT = 20;
    private static final ModelConfig CONFIG = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 2, 32,
            4, 2, 48, 97, 256, 1e-5f, 10000f, new ModelConfig.TokenizerSpec("llama2c", 1, 2),
            new ModelConfig.DcpSpec(8, new float[] {0f, 0f}), null);
    private static final int[] TOKENS = new SplittableRandom(8).ints(LENGTH, 0, CONFIG.vocabSize()).toArray();

    private static OnnxTransformer model;

    @BeforeAll
    static void load() {
        ModelWeights weights = RandomModels.weights(CONFIG, 99);
        model = new OnnxTransformer(CONFIG, GraphSet.build(CONFIG, weights), ExecutionProvider.CPU);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void bytesHeldPerLayerFallWithTheDroppedShare() {
        Sequence pruned = run(new DcpGatePolicy(gateKeepingAbout(0.2)));
        Sequence dense = run(DensePolicy.INSTANCE);

        PruningReport report = pruned.report();
        for (int layer = 0; layer < CONFIG.layers(); layer++) {
            LayerKvCache cache = pruned.cache(layer);
            LayerKvCache denseCache = dense.cache(layer);
            assertThat(denseCache.heldBytes()).isEqualTo(LENGTH * denseCache.bytesPerToken());
            // A dense run keeps no interaction keys: a gated model run densely costs what the dense model does.
            assertThat(denseCache.bytesPerToken()).isEqualTo(2L * CONFIG.kvDim() * Float.BYTES);
            double keptShare = (double) cache.liveCount() / LENGTH;
            assertThat(keptShare).as("layer %d keeps about a fifth", layer).isBetween(0.1, 0.3);
            // Measured from the cache: the slots attention scans, holes included (repacked at load < 0.9).
            assertThat((double) cache.heldBytes() / (LENGTH * cache.bytesPerToken()))
                    .isBetween(keptShare, keptShare / 0.9 + 1e-9);
            assertThat(report.layers().get(layer).kvBytes()).isEqualTo(cache.heldBytes());
        }
        assertThat(report.sparsity()).isGreaterThan(0.6);
        assertThat((double) report.kvCacheBytes() / report.denseKvCacheBytes()).isLessThan(0.35);
    }

    /** Bisects one beta for all layers so that about {@code share} of the tokens survive in the cache. */
    private static ModelConfig.DcpSpec gateKeepingAbout(double share) {
        double low = -4;
        double high = 6;
        ModelConfig.DcpSpec spec = null;
        for (int i = 0; i < 14; i++) {
            double beta = (low + high) / 2;
            float[] betas = new float[CONFIG.layers()];
            Arrays.fill(betas, (float) beta);
            spec = new ModelConfig.DcpSpec(8, betas);
            Sequence sequence = run(new DcpGatePolicy(spec));
            double kept = 0;
            for (int layer = 0; layer < CONFIG.layers(); layer++) {
                kept += (double) sequence.cache(layer).liveCount() / LENGTH / CONFIG.layers();
            }
            if (kept > share) {
                high = beta;
            } else {
                low = beta;
            }
        }
        return spec;
    }

    private static Sequence run(PruningPolicy policy) {
        Sequence sequence = new Sequence(model, policy);
        sequence.forward(Arrays.copyOf(TOKENS, PROMPT));
        for (int position = PROMPT; position < LENGTH; position++) {
            sequence.forward(TOKENS[position]);
        }
        return sequence;
    }
}
