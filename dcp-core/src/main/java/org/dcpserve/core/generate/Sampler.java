package org.dcpserve.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token: the penalties adjust the logits (when asked), then greedy, or temperature sampling
 * restricted by top-k, top-p and typical-p. Remembers what it picked, for the penalties.
 *
 * <p>The candidates are ranked by descending logit (ties in id order) and the draw walks them from the top, but
 * only as far as the nucleus, the typical set or the draw itself reaches ({@link RankedLogits}): nothing sorts the
 * vocabulary. Over a top-k the sums run in rank order, as the sort had them. Over the whole vocabulary (no top-k)
 * the head's weights and bounds on the tail's ({@link TailBounds}) settle most nuclei and draws; else the whole sum
 * runs in id order over {@link FastExp}'s exps (relative error below 4e-11 each, against rounding's 1e-16 in another
 * order: a pick can differ from the exact sum's only for a draw that close to a boundary). Buffers are reused from
 * step to step.
 */
public final class Sampler {

    /**
     * How far apart, relatively, a decision from the tail's bounds must be from its boundary: far above the
     * rounding of sums in another order, far below a bound's bucket.
     */
    private static final double SETTLED = 1e-12;

    private final SamplingParams params;
    private final SplittableRandom random;
    private final Penalties penalties;
    private final RankedLogits ranked = new RankedLogits();
    private final TailBounds tail = new TailBounds();
    /** This step's row [vocab] and largest logit / temperature. */
    private float[] logits;
    private double max;
    /** exp(logit / temperature - max) of the ids by rank, in [0, weighed). */
    private double[] weights = new double[64];
    private int weighed;
    /** Σ weight over the whole vocabulary, once this step needed it. */
    private double wholeSum;
    private boolean wholeSummed;
    /** Ranks of the typical set, most typical first, in [0, typicalSize). */
    private int[] typical = new int[64];
    private int typicalSize;

    /** @param prompt the prompt's tokens, which the repetition penalty counts as already in the sequence */
    public Sampler(SamplingParams params, int[] prompt) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
        this.penalties = params.hasPenalties() ? new Penalties(params, prompt) : null;
    }

    /** The next token of {@code logits} [vocab]; the row is as it was when this returns. */
    public int next(float[] logits) {
        if (penalties == null) {
            return choose(logits);
        }
        int token;
        penalties.apply(logits);
        try {
            token = choose(logits);
        } finally {
            penalties.restore(logits);
        }
        penalties.record(token);
        return token;
    }

    private int choose(float[] row) {
        if (params.isGreedy()) {
            return argmax(row);
        }
        int vocab = row.length;
        int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        ranked.reset(row, k);
        logits = row;
        weighed = 0;
        wholeSummed = false;
        // In double: a tiny temperature must not overflow a float logit to infinity (and the draw to NaN).
        max = row[ranked.id(0)] / (double) params.temperature();
        boolean wholeVocabulary = k == vocab;
        // Top-p keeps the first ranks whose probability reaches p; without it the candidates are all k, which over
        // the whole vocabulary stay unranked (kept = -1): the walk ranks as it goes.
        int kept;
        if (params.topP() < 1f) {
            kept = wholeVocabulary ? wholeNucleus(k) : nucleus(k, rankSum(k));
        } else {
            kept = wholeVocabulary ? -1 : k;
        }
        double u = random.nextDouble();
        if (params.typicalP() < 1f) {
            typicalSet(kept, params.typicalP());
            double total = 0;
            for (int i = 0; i < typicalSize; i++) {
                total += weight(typical[i]);
            }
            double draw = u * total;
            for (int i = 0; i < typicalSize; i++) {
                draw -= weight(typical[i]);
                if (draw < 0) {
                    return ranked.id(typical[i]);
                }
            }
            return ranked.id(typical[typicalSize - 1]);
        }
        if (kept >= 0) {
            return ranked.id(walk(u * rankSum(kept), kept));
        }
        int bounded = boundedDraw(u);
        return ranked.id(bounded >= 0 ? bounded : walk(u * wholeSum(), vocab));
    }

    /** The rank where {@code draw} falls, walking the first {@code end} ranks. */
    private int walk(double draw, int end) {
        int rank = 0;
        // Past the last positive weight nothing can be drawn: rounding left the draw >= 0, the last one is it.
        while (rank < end && (rank == 0 || weight(rank) > 0)) {
            draw -= weight(rank);
            if (draw < 0) {
                return rank;
            }
            rank++;
        }
        return rank - 1;
    }

    /** The top-p nucleus over the whole vocabulary: from the head and the tail's bounds, else from the exact sum. */
    private int wholeNucleus(int k) {
        int head = boundedHead();
        double lowest = params.topP() * (rankSum(head) + tail.lower()) * (1 - SETTLED);
        double highest = params.topP() * (rankSum(head) + tail.upper()) * (1 + SETTLED);
        double prefix = 0;
        for (int rank = 0; rank < head; rank++) {
            prefix += weight(rank);
            if (prefix >= highest) {
                return rank + 1;    // reached whatever the tail's sum
            }
            if (prefix >= lowest) {
                return nucleus(k, wholeSum());   // might have: only the exact sum tells
            }
        }
        if (head > 0) {
            // Past the head: no later weight exceeds the head's last, so the nucleus holds at least this many more
            // ranks. Ranking them at once spares a flat row (a nucleus of most of the vocabulary) the rounds between.
            double deeper = (lowest - prefix) / weight(head - 1);
            ranked.id((int) Math.min(k - 1, head + deeper));
        }
        return nucleus(k, wholeSum());
    }

    /**
     * The rank a draw of {@code u} x the whole vocabulary's sum falls on, when the head and the tail's bounds settle
     * it; -1 when the draw might fall near a boundary or in the tail.
     */
    private int boundedDraw(double u) {
        int head = boundedHead();
        double lowest = u * (rankSum(head) + tail.lower()) * (1 - SETTLED);
        double highest = u * (rankSum(head) + tail.upper()) * (1 + SETTLED);
        double prefix = 0;
        for (int rank = 0; rank < head; rank++) {
            prefix += weight(rank);
            if (prefix > lowest) {
                return prefix > highest ? rank : -1;
            }
        }
        return -1;
    }

    /**
     * Ranks the head of the row and measures the tail's bounds: the head is the ranked ids whose logit is above
     * the last ranked one's, the tail every other id. Returns the head's size.
     */
    private int boundedHead() {
        float ceiling = logits[ranked.id(ranked.ranked() - 1)];
        tail.measure(logits, ceiling, params.temperature(), max);
        int head = 0;
        while (head < ranked.ranked() && logits[ranked.id(head)] > ceiling) {
            head++;
        }
        return head;
    }

    /** The smallest number of first ranks whose probability reaches top_p, or up to the last positive weight. */
    private int nucleus(int k, double sum) {
        double cumulative = 0;
        int kept = 0;
        while (kept < k && (kept == 0 || weight(kept) > 0)) {
            cumulative += weight(kept++) / sum;
            if (cumulative >= params.topP()) {
                break;
            }
        }
        return kept;
    }

    /**
     * Locally typical sampling (Meister et al. 2022, as in Hugging Face's TypicalLogitsWarper): among the first
     * {@code kept} ranks (-1: the whole vocabulary), those whose information -log p is closest to the entropy,
     * until their probability reaches {@code mass}, into {@link #typical}, most typical first.
     *
     * <p>Information grows with rank, so the order by distance to the entropy is a merge of the ranks above the
     * one where information reaches the entropy (walking up) and those from it (walking down); equal distances
     * keep rank order, as a stable sort by distance would.
     */
    private void typicalSet(int kept, float mass) {
        double sum = kept < 0 ? wholeSum() : rankSum(kept);
        double entropy = kept < 0 ? wholeEntropy(sum) : rankEntropy(kept, sum);
        int end = kept < 0 ? logits.length : kept;
        int crossing = 0;
        while (crossing < end && information(crossing, sum) < entropy) {
            crossing++;
        }
        typicalSize = 0;
        double cumulative = 0;
        int up = crossing - 1;
        int down = crossing;
        while (cumulative < mass) {
            boolean belowOpen = down < end && (down == 0 || weight(down) > 0);
            if (up < 0 && !belowOpen) {
                return;
            }
            double above = up >= 0 ? Math.abs(information(up, sum) - entropy) : Double.POSITIVE_INFINITY;
            if (up >= 0 && (!belowOpen || above <= Math.abs(information(down, sum) - entropy))) {
                int first = up;
                while (first > 0 && Math.abs(information(first - 1, sum) - entropy) == above) {
                    first--;
                }
                for (int rank = first; rank <= up && cumulative < mass; rank++) {
                    cumulative += addTypical(rank, sum);
                }
                up = first - 1;
            } else {
                cumulative += addTypical(down++, sum);
            }
        }
    }

    private double addTypical(int rank, double sum) {
        if (typicalSize == typical.length) {
            typical = Arrays.copyOf(typical, 2 * typicalSize);
        }
        typical[typicalSize++] = rank;
        return weight(rank) / sum;
    }

    private double information(int rank, double sum) {
        double p = weight(rank) / sum;
        return p > 0 ? -Math.log(p) : Double.POSITIVE_INFINITY;
    }

    private double rankEntropy(int kept, double sum) {
        double entropy = 0;
        for (int rank = 0; rank < kept; rank++) {
            double p = weight(rank) / sum;
            entropy += p > 0 ? p * -Math.log(p) : 0;
        }
        return entropy;
    }

    private double wholeEntropy(double sum) {
        double entropy = 0;
        for (float logit : logits) {
            double p = Math.exp(logit / (double) params.temperature() - max) / sum;
            entropy += p > 0 ? p * -Math.log(p) : 0;
        }
        return entropy;
    }

    /** Σ weight of the first {@code n} ranks, in rank order. */
    private double rankSum(int n) {
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += weight(rank);
        }
        return sum;
    }

    /**
     * Σ weight over the whole row [vocab], once a step: in rank order when all of it is ranked (the weights are
     * there, and the order is the sort's), else in id order.
     */
    private double wholeSum() {
        if (!wholeSummed) {
            double sum = 0;
            if (ranked.ranked() == logits.length) {
                sum = rankSum(logits.length);
            } else {
                for (float logit : logits) {
                    sum += FastExp.ofNonPositive(logit / (double) params.temperature() - max);
                }
            }
            wholeSum = sum;
            wholeSummed = true;
        }
        return wholeSum;
    }

    /** exp(logit / temperature - max) of the id at {@code rank}, kept for the rest of the step. */
    private double weight(int rank) {
        while (weighed <= rank) {
            if (weighed == weights.length) {
                weights = Arrays.copyOf(weights, 2 * weighed);
            }
            weights[weighed] = Math.exp(logits[ranked.id(weighed)] / (double) params.temperature() - max);
            weighed++;
        }
        return weights[rank];
    }

    /** The greedy choice: the first index of the largest logit. */
    public static int argmax(float[] logits) {
        return argmax(logits, 0, logits.length);
    }

    /** The first index in {@code logits[offset, offset + length)} of its largest value. */
    static int argmax(float[] logits, int offset, int length) {
        int best = offset;
        for (int i = offset + 1; i < offset + length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
