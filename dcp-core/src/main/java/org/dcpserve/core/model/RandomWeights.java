package org.dcpserve.core.model;

import java.util.SplittableRandom;

/**
 * Random weights of the canonical layout for any config, scaled so activations stay in a sane range: for
 * tests (attention patterns that matter) and benchmarks (real shapes without real checkpoints).
 */
public final class RandomWeights {

    private RandomWeights() {
    }

    /** Random weights for {@code config} (canonical layout), including DCP gates when the config has them. */
    public static ModelWeights of(ModelConfig config, long seed) {
        return of(config, seed, false);
    }

    /**
     * With {@code uniform}, every value is drawn uniformly with the same mean and standard deviation instead
     * of from a normal distribution: several times faster, for benchmarks of large shapes where only the
     * sizes matter (GPT-2 small has 160 M values).
     */
    public static ModelWeights of(ModelConfig config, long seed, boolean uniform) {
        SplittableRandom random = new SplittableRandom(seed);
        int d = config.dModel();
        int ffn = config.ffnDim();
        boolean gpt2 = config.architecture() == Architecture.GPT2;
        ModelWeights w = new ModelWeights();
        w.put(ModelWeights.TOK_EMBEDDINGS, noise(random, uniform, 1.0, config.vocabSize(), d));
        if (gpt2) {
            w.put(ModelWeights.POS_EMBEDDINGS, noise(random, uniform, 0.5, config.contextLength(), d));
        }
        for (int l = 0; l < config.layers(); l++) {
            norm(w, random, uniform, ModelWeights.layer(l, "attn_norm"), d, gpt2);
            w.put(ModelWeights.layer(l, "wq"), noise(random, uniform, 2.0 / Math.sqrt(d), d, config.qDim()));
            w.put(ModelWeights.layer(l, "wk"), noise(random, uniform, 2.0 / Math.sqrt(d), d, config.kvDim()));
            w.put(ModelWeights.layer(l, "wv"), noise(random, uniform, 1.0 / Math.sqrt(d), d, config.kvDim()));
            w.put(ModelWeights.layer(l, "wo"), noise(random, uniform, 1.0 / Math.sqrt(d), config.qDim(), d));
            norm(w, random, uniform, ModelWeights.layer(l, "mlp_norm"), d, gpt2);
            if (gpt2) {
                w.put(ModelWeights.layer(l, "bq"), noise(random, uniform, 0.1, d));
                w.put(ModelWeights.layer(l, "bk"), noise(random, uniform, 0.1, d));
                w.put(ModelWeights.layer(l, "bv"), noise(random, uniform, 0.1, d));
                w.put(ModelWeights.layer(l, "bo"), noise(random, uniform, 0.1, d));
                w.put(ModelWeights.layer(l, "fc"), noise(random, uniform, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "fc_bias"), noise(random, uniform, 0.1, ffn));
                w.put(ModelWeights.layer(l, "proj"), noise(random, uniform, 1.0 / Math.sqrt(ffn), ffn, d));
                w.put(ModelWeights.layer(l, "proj_bias"), noise(random, uniform, 0.1, d));
            } else {
                w.put(ModelWeights.layer(l, "w_gate"), noise(random, uniform, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "w_up"), noise(random, uniform, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "w_down"), noise(random, uniform, 1.0 / Math.sqrt(ffn), ffn, d));
                if (config.attentionBias()) {
                    w.put(ModelWeights.layer(l, "bq"), noise(random, uniform, 0.1, config.qDim()));
                    w.put(ModelWeights.layer(l, "bk"), noise(random, uniform, 0.1, config.kvDim()));
                    w.put(ModelWeights.layer(l, "bv"), noise(random, uniform, 0.1, config.kvDim()));
                }
                if (config.qkNorm()) {
                    norm(w, random, uniform, ModelWeights.layer(l, "q_norm"), config.headDim(), false);
                    norm(w, random, uniform, ModelWeights.layer(l, "k_norm"), config.headDim(), false);
                }
            }
            if (config.hasDcpGates()) {
                int r = config.dcp().rank();
                w.put(ModelWeights.layer(l, "wq_int"), noise(random, uniform, 1.0 / Math.sqrt(d), d, r));
                w.put(ModelWeights.layer(l, "wk_int"), noise(random, uniform, 1.0 / Math.sqrt(d), d, r));
            }
        }
        norm(w, random, uniform, ModelWeights.FINAL_NORM, d, gpt2);
        w.put(ModelWeights.LM_HEAD, noise(random, uniform, 1.0 / Math.sqrt(d), d, config.vocabSize()));
        return w;
    }

    private static void norm(ModelWeights w, SplittableRandom random, boolean uniform, String prefix, int d, boolean withBias) {
        FloatTensor scale = noise(random, uniform, 0.2, d);
        for (int i = 0; i < d; i++) {
            scale.data()[i] += 1f;
        }
        w.put(prefix + ".weight", scale);
        if (withBias) {
            w.put(prefix + ".bias", noise(random, uniform, 0.1, d));
        }
    }

    public static FloatTensor gaussian(SplittableRandom random, double std, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = (float) (nextGaussian(random) * std);
        }
        return t;
    }

    private static FloatTensor noise(SplittableRandom random, boolean uniform, double std, int... shape) {
        if (!uniform) {
            return gaussian(random, std, shape);
        }
        FloatTensor t = FloatTensor.zeros(shape);
        float half = (float) (std * Math.sqrt(3));
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = (float) ((2 * random.nextDouble() - 1) * half);
        }
        return t;
    }

    private static double nextGaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
