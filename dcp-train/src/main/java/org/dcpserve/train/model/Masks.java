package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Constant masks over (query k, key j) for one sequence length n, row k and column j. Additive masks
 * are 0 where attention is allowed and -inf where it is not.
 *
 * @param causal        additive [n, n]: -inf where j > k
 * @param strictlyAfter [n, n] 1 where k > j (the causal pairs, and in the gate the voters m > j), else 0
 * @param atOrBefore    [n, n] 1 - strictlyAfter
 * @param nonVoterShift [n, n] 0 where k > j, {@link #NON_VOTER} where k <= j: added to gate scores so that
 *                      positions that do not vote land far outside the sparse sigmoid's band (vote 1, no work)
 * @param causalPairs   n (n - 1) / 2, the number of pairs j < k
 */
record Masks(int n, NDArray causal, NDArray strictlyAfter, NDArray atOrBefore, NDArray nonVoterShift,
             long causalPairs) {

    static final float NON_VOTER = 1e4f;

    static Masks of(NDManager manager, int n) {
        float[] causal = new float[n * n];
        float[] after = new float[n * n];
        float[] notAfter = new float[n * n];
        float[] shift = new float[n * n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                causal[k * n + j] = j > k ? Float.NEGATIVE_INFINITY : 0f;
                after[k * n + j] = k > j ? 1f : 0f;
                notAfter[k * n + j] = k > j ? 0f : 1f;
                shift[k * n + j] = k > j ? 0f : NON_VOTER;
            }
        }
        Shape shape = new Shape(n, n);
        return new Masks(n, Ops.owned(manager, causal, shape), Ops.owned(manager, after, shape),
                Ops.owned(manager, notAfter, shape), Ops.owned(manager, shift, shape), (long) n * (n - 1) / 2);
    }

    /** Frees the masks (a forward pass still running keeps its own references: they are PyTorch-owned). */
    void close() {
        causal.close();
        strictlyAfter.close();
        atOrBefore.close();
        nonVoterShift.close();
    }

    /** Additive [n, n]: causal, and query k sees only keys j with k - j < window. */
    NDArray slidingWindow(NDManager manager, int window) {
        float[] mask = new float[n * n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                mask[k * n + j] = j > k || k - j >= window ? Float.NEGATIVE_INFINITY : 0f;
            }
        }
        return Ops.owned(manager, mask, new Shape(n, n));
    }

    /** Share of the causal pairs a sliding window keeps: pairs with 0 < k - j < window. */
    double slidingWindowKeep(int window) {
        if (causalPairs == 0) {
            return 1;
        }
        long kept = 0;
        for (int distance = 1; distance < Math.min(window, n); distance++) {
            kept += n - distance;
        }
        return (double) kept / causalPairs;
    }
}
