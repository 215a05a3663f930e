package org.dcpserve.core.engine;

import java.util.SplittableRandom;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/** Small models with random weights, large enough that attention patterns matter. */
public final class RandomModels {

    private RandomModels() {
    }

    public static ModelConfig llamaConfig() {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 2, 32, 4, 2, 48, 97, 64,
                1e-5f, 10000f, new ModelConfig.TokenizerSpec("llama2c", 1, 2), null, null);
    }

    public static ModelConfig gpt2Config() {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 32, 4, 4, 64, 101, 64,
                1e-5f, 0f, new ModelConfig.TokenizerSpec("gpt2", null, 100), null, null);
    }

    /** Random weights for {@code config} (canonical layout), including DCP gates when the config has them. */
    public static ModelWeights weights(ModelConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int d = config.dModel();
        int ffn = config.ffnDim();
        boolean gpt2 = config.architecture() == Architecture.GPT2;
        ModelWeights w = new ModelWeights();
        w.put(ModelWeights.TOK_EMBEDDINGS, gaussian(random, 1.0, config.vocabSize(), d));
        if (gpt2) {
            w.put(ModelWeights.POS_EMBEDDINGS, gaussian(random, 0.5, config.contextLength(), d));
        }
        for (int l = 0; l < config.layers(); l++) {
            norm(w, random, ModelWeights.layer(l, "attn_norm"), d, gpt2);
            w.put(ModelWeights.layer(l, "wq"), gaussian(random, 2.0 / Math.sqrt(d), d, d));
            w.put(ModelWeights.layer(l, "wk"), gaussian(random, 2.0 / Math.sqrt(d), d, config.kvDim()));
            w.put(ModelWeights.layer(l, "wv"), gaussian(random, 1.0 / Math.sqrt(d), d, config.kvDim()));
            w.put(ModelWeights.layer(l, "wo"), gaussian(random, 1.0 / Math.sqrt(d), d, d));
            norm(w, random, ModelWeights.layer(l, "mlp_norm"), d, gpt2);
            if (gpt2) {
                w.put(ModelWeights.layer(l, "bq"), gaussian(random, 0.1, d));
                w.put(ModelWeights.layer(l, "bk"), gaussian(random, 0.1, d));
                w.put(ModelWeights.layer(l, "bv"), gaussian(random, 0.1, d));
                w.put(ModelWeights.layer(l, "bo"), gaussian(random, 0.1, d));
                w.put(ModelWeights.layer(l, "fc"), gaussian(random, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "fc_bias"), gaussian(random, 0.1, ffn));
                w.put(ModelWeights.layer(l, "proj"), gaussian(random, 1.0 / Math.sqrt(ffn), ffn, d));
                w.put(ModelWeights.layer(l, "proj_bias"), gaussian(random, 0.1, d));
            } else {
                w.put(ModelWeights.layer(l, "w_gate"), gaussian(random, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "w_up"), gaussian(random, 1.0 / Math.sqrt(d), d, ffn));
                w.put(ModelWeights.layer(l, "w_down"), gaussian(random, 1.0 / Math.sqrt(ffn), ffn, d));
            }
            if (config.hasDcpGates()) {
                int r = config.dcp().rank();
                w.put(ModelWeights.layer(l, "wq_int"), gaussian(random, 1.0 / Math.sqrt(d), d, r));
                w.put(ModelWeights.layer(l, "wk_int"), gaussian(random, 1.0 / Math.sqrt(d), d, r));
            }
        }
        norm(w, random, ModelWeights.FINAL_NORM, d, gpt2);
        w.put(ModelWeights.LM_HEAD, gaussian(random, 1.0 / Math.sqrt(d), d, config.vocabSize()));
        return w;
    }

    private static void norm(ModelWeights w, SplittableRandom random, String prefix, int d, boolean withBias) {
        FloatTensor scale = gaussian(random, 0.2, d);
        for (int i = 0; i < d; i++) {
            scale.data()[i] += 1f;
        }
        w.put(prefix + ".weight", scale);
        if (withBias) {
            w.put(prefix + ".bias", gaussian(random, 0.1, d));
        }
    }

    public static FloatTensor gaussian(SplittableRandom random, double std, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = (float) (nextGaussian(random) * std);
        }
        return t;
    }

    private static double nextGaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
