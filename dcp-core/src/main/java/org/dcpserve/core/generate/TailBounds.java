package org.dcpserve.core.generate;

import java.util.Arrays;

/**
 * Bounds on Σ exp(logit / T - max) over the ids of a row [vocab] whose logit is at most a ceiling, from one pass
 * that only counts the logits into buckets 1/32 wide below it: a few hundred exps bound the tail of a 151,936-id
 * vocabulary, where summing it takes one exp per id. Over a trained model's distribution the bounds are a few
 * percent of the tail apart, which settles most nuclei and draws without the exact sum.
 */
final class TailBounds {

    private static final int PER_UNIT = 32;
    /** 64 logit units below the ceiling; anything lower shares the last bucket, bounded below by 0. */
    private static final int BUCKETS = 64 * PER_UNIT;

    private final int[] counts = new int[BUCKETS];
    /** exp((ceiling - j / PER_UNIT) / T - max) for bucket edge j, in [0, edges). */
    private final double[] edge = new double[BUCKETS + 2];
    private double lower;
    private double upper;

    /**
     * Counts {@code logits} (at most {@code ceiling}) into buckets and bounds their weights' sum, up to the
     * rounding of sums (the bound is the exact sum, summed another way, when all of them equal the ceiling).
     */
    void measure(float[] logits, float ceiling, float temperature, double max) {
        Arrays.fill(counts, 0);
        int deepest = -1;
        for (float logit : logits) {
            if (logit <= ceiling) {
                // (int) of +inf (a -inf logit) or of an overflow is Integer.MAX_VALUE: the last bucket.
                int bucket = Math.min((int) ((ceiling - logit) * PER_UNIT), BUCKETS - 1);
                counts[bucket]++;
                deepest = Math.max(deepest, bucket);
            }
        }
        for (int j = 0; j <= Math.min(deepest + 2, BUCKETS + 1); j++) {
            edge[j] = Math.exp((ceiling - j / (double) PER_UNIT) / temperature - max);
        }
        lower = 0;
        upper = 0;
        for (int bucket = 0; bucket <= deepest; bucket++) {
            if (counts[bucket] > 0) {
                // Rounding may count a logit one bucket off: each bucket's bounds reach one bucket further each way.
                upper += counts[bucket] * edge[Math.max(bucket - 1, 0)];
                lower += bucket >= BUCKETS - 2 ? 0 : counts[bucket] * edge[bucket + 2];
            }
        }
    }

    double lower() {
        return lower;
    }

    double upper() {
        return upper;
    }
}
