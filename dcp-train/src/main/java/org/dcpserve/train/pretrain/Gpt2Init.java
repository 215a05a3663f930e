package org.dcpserve.train.pretrain;

import java.util.SplittableRandom;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * GPT-2's initialisation of a model that starts from nothing: every matrix and embedding
 * ~ N(0, 0.02), the two projections that write into the residual stream (attention output and MLP
 * output) ~ N(0, 0.02 / sqrt(2 L)) so the residual's variance does not grow with depth, biases 0,
 * LayerNorm scale 1 and shift 0, and the output head tied to the token embedding.
 */
public final class Gpt2Init {

    static final double STD = 0.02;

    private Gpt2Init() {
    }

    /** Random canonical weights for a gpt2 {@code config}, the same for the same {@code seed}. */
    public static ModelWeights weights(ModelConfig config, long seed) {
        if (config.architecture() != Architecture.GPT2) {
            throw new IllegalArgumentException("Gpt2Init initialises gpt2 models, not " + config.architecture().id());
        }
        SplittableRandom random = new SplittableRandom(seed);
        int d = config.dModel();
        int ffn = config.ffnDim();
        double residualStd = STD / Math.sqrt(2.0 * config.layers());
        ModelWeights w = new ModelWeights();
        FloatTensor embedding = gaussian(random, STD, config.vocabSize(), d);              // [V, d]
        w.put(ModelWeights.TOK_EMBEDDINGS, embedding);
        w.put(ModelWeights.POS_EMBEDDINGS, gaussian(random, STD, config.contextLength(), d)); // [ctx, d]
        for (int l = 0; l < config.layers(); l++) {
            layerNorm(w, ModelWeights.layer(l, "attn_norm"), d);
            for (String name : new String[] {"wq", "wk", "wv"}) {
                w.put(ModelWeights.layer(l, name), gaussian(random, STD, d, d));              // [d, d]
                w.put(ModelWeights.layer(l, "b" + name.charAt(1)), FloatTensor.zeros(d));     // [d]
            }
            w.put(ModelWeights.layer(l, "wo"), gaussian(random, residualStd, d, d));          // [d, d]
            w.put(ModelWeights.layer(l, "bo"), FloatTensor.zeros(d));
            layerNorm(w, ModelWeights.layer(l, "mlp_norm"), d);
            w.put(ModelWeights.layer(l, "fc"), gaussian(random, STD, d, ffn));                // [d, ffn]
            w.put(ModelWeights.layer(l, "fc_bias"), FloatTensor.zeros(ffn));
            w.put(ModelWeights.layer(l, "proj"), gaussian(random, residualStd, ffn, d));      // [ffn, d]
            w.put(ModelWeights.layer(l, "proj_bias"), FloatTensor.zeros(d));
        }
        layerNorm(w, ModelWeights.FINAL_NORM, d);
        w.put(ModelWeights.LM_HEAD, embedding.transpose());                                  // [d, V], tied
        return w;
    }

    private static void layerNorm(ModelWeights w, String prefix, int d) {
        FloatTensor scale = FloatTensor.zeros(d);
        java.util.Arrays.fill(scale.data(), 1f);
        w.put(prefix + ".weight", scale);
        w.put(prefix + ".bias", FloatTensor.zeros(d));
    }

    private static FloatTensor gaussian(SplittableRandom random, double std, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] data = t.data();
        for (int i = 0; i < data.length; i++) {
            // Box-Muller from SplittableRandom: deterministic across JDKs, unlike Random.nextGaussian's caching.
            double u = 1.0 - random.nextDouble();
            data[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()) * std);
        }
        return t;
    }
}
