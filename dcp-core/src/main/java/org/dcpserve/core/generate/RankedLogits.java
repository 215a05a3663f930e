package org.dcpserve.core.generate;

import java.util.Arrays;

/**
 * The most likely ids of one logits row [vocab], by descending logit with ties in id order (the order of
 * Float.compare), ranked only as deep as someone asks: a nucleus of 40 tokens out of 151,936 costs one pass over
 * the row and a sort of about a hundred keys, not a sort of the vocabulary. Asking past what is ranked ranks
 * {@link #GROWTH} times more with another pass (a flat row, whose nucleus is most of it, ends up sorted whole, as
 * before). The buffer is kept from step to step.
 */
final class RankedLogits {

    /** Ranked on the first request: most nuclei of a trained model's distribution fit. */
    private static final int FIRST = 64;
    private static final int GROWTH = 8;
    /** Past a sixteenth of the row, ranking all of it at once is cheaper than another round of selection. */
    private static final int WHOLE_ROW_BEYOND = 16;

    private float[] logits;
    private int limit;
    /** Keys of the ranked ids, ascending = rank order, in [0, ranked); past it scratch of the selection. */
    private long[] keys = new long[0];
    private int ranked;

    /** Starts on a row; at most {@code limit} ids (the top-k, or the whole vocabulary) are ever ranked. */
    void reset(float[] logits, int limit) {
        this.logits = logits;
        this.limit = limit;
        this.ranked = 0;
    }

    /** How many ids are ranked so far (0 before the first {@link #id}). */
    int ranked() {
        return ranked;
    }

    /** The id at {@code rank} (0 = the largest logit), for rank < {@link #limit()}. */
    int id(int rank) {
        if (rank >= ranked) {
            int m = Math.max(rank + 1, Math.max(FIRST, ranked * GROWTH));
            rankBest(m > logits.length / WHOLE_ROW_BEYOND ? limit : Math.min(limit, m));
        }
        return (int) keys[rank];
    }

    /**
     * A long whose ascending order is descending Float.compare order of the logit, then ascending id: the logit's
     * order-preserving bits, reversed, above the id.
     */
    static long key(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);   // signed order = Float.compare order
        return ((long) ~ordered << 32) | id;
    }

    /**
     * Ranks the {@code m} best ids: one pass keeping candidates in a buffer of 2m keys; when it fills, a sort keeps
     * its m best and their worst becomes the bar a logit must reach to be looked at again (most never are).
     */
    private void rankBest(int m) {
        int capacity = Math.min(2 * m, logits.length);
        if (keys.length < capacity) {
            keys = new long[capacity];
        }
        int size = 0;
        float bar = Float.NEGATIVE_INFINITY;
        long worstKept = Long.MAX_VALUE;
        for (int id = 0; id < logits.length; id++) {
            float logit = logits[id];
            if (logit < bar) {
                continue;   // below the m-th best so far: cannot be among the m best
            }
            long key = key(logit, id);
            if (key < worstKept) {
                keys[size++] = key;
                if (size == capacity) {
                    Arrays.sort(keys, 0, size);
                    size = m;
                    worstKept = keys[m - 1];
                    bar = logits[(int) worstKept];
                }
            }
        }
        Arrays.sort(keys, 0, size);
        ranked = Math.min(size, m);
    }
}
