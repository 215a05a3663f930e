package org.dcpserve.core.generate;

import java.util.SplittableRandom;

/**
 * Random logits rows [vocab] of the kinds a model gives, and the corners: ties, masked ids, a flat row whose
 * nucleus is most of it. The sampler's equivalence tests and the sampling benchmark draw from them.
 */
public enum LogitRows {
    /** A few dozen likely tokens above a Gaussian tail, as a trained model's distribution looks. */
    HEAD,
    /** Few distinct values (ties everywhere), both zeros, a few -inf. */
    TIES,
    /** HEAD with Qwen's padded ids and a tenth of the rest masked to -inf. */
    MASKED,
    /** Nearly uniform: a top-p nucleus of most of the vocabulary, a draw walking deep. */
    FLAT,
    /** 1, 2, 4 or 8 equal logits, the rest -inf: probabilities that are exact binary fractions (top_p 0.5). */
    EXACT;

    /** Qwen2.5's embedding rows; its tokenizer has 151,669 tokens, the rest are masked (-inf) in serving. */
    public static final int QWEN_VOCAB = 151_936;
    private static final int QWEN_TOKENS = 151_669;

    /** A row of this kind over {@code vocab} ids. */
    public float[] make(SplittableRandom random, int vocab) {
        float[] logits = new float[vocab];
        float[] values = {0f, -0f, 1.5f, -1.5f, 3f, 8f, 8f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < vocab; i++) {
            logits[i] = switch (this) {
                case HEAD, MASKED -> (float) random.nextGaussian(0, 1.5);
                case TIES -> values[random.nextInt(values.length)];
                case FLAT -> (float) random.nextGaussian(0, 0.05);
                case EXACT -> Float.NEGATIVE_INFINITY;
            };
        }
        if (this == EXACT) {
            for (int i = 0; i < 1 << random.nextInt(4); i++) {
                logits[random.nextInt(vocab)] = 2.5f;
            }
        }
        if (this == HEAD || this == MASKED) {
            for (int i = 0; i < 1 + vocab / 4000; i++) {
                logits[random.nextInt(vocab)] += (float) random.nextDouble(6, 16);
            }
        }
        if (this == MASKED) {
            for (int i = 0; i < vocab; i++) {
                if (i >= (long) vocab * QWEN_TOKENS / QWEN_VOCAB || random.nextInt(10) == 0) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return logits;
    }
}
