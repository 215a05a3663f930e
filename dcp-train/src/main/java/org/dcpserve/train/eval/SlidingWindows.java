package org.dcpserve.train.eval;

/** Sparsity of the sliding-window baseline, to compare it with DCP at equal sparsity. */
final class SlidingWindows {

    private SlidingWindows() {
    }

    /**
     * Share of causal pairs (k, j &lt; k) a window of w tokens (the query included) masks in a sequence of
     * n tokens: query k loses max(0, k - w + 1) keys, which sums to (n - w)(n - w + 1) / 2.
     */
    static double sparsity(int n, int window) {
        if (window >= n || n < 2) {
            return 0;
        }
        return (double) (n - window) * (n - window + 1) / ((double) n * (n - 1));
    }

    /** Sparsity of a w-token window over sequences of these lengths, weighted by their causal pairs. */
    static double sparsity(int[] lengths, int window) {
        double masked = 0;
        double pairs = 0;
        for (int n : lengths) {
            double causal = (double) n * (n - 1) / 2;
            masked += sparsity(n, window) * causal;
            pairs += causal;
        }
        return pairs == 0 ? 0 : masked / pairs;
    }

    /** The window whose sparsity over sequences of these lengths is closest to {@code target}. */
    static int windowFor(int[] lengths, double target) {
        int longest = java.util.Arrays.stream(lengths).max().orElse(1);
        int best = 1;
        for (int w = 1; w <= longest; w++) {
            if (Math.abs(sparsity(lengths, w) - target) < Math.abs(sparsity(lengths, best) - target)) {
                best = w;
            }
        }
        return best;
    }
}
