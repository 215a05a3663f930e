package org.dcpserve.core.tokenizer;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A BPE vocabulary's merges as a {@link MergeTable}: merge {@code r} has priority r (its rank) and
 * makes id {@code mergedIds[r]}. An open-addressing table of primitive longs: encoding does one
 * lookup per adjacent pair of every new word, and a {@code HashMap<Long, Integer>} would box each of
 * them. Immutable once built, so safe to share.
 */
final class PairRanks implements MergeTable {

    private static final long EMPTY = -1L; // keys are two non-negative ints, so never negative

    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    private final int shift;
    private final int[] mergedIds;

    /** Merge {@code i} joins {@code lefts[i]} and {@code rights[i]} into id {@code firstMergeId + i}; the pairs must be distinct. */
    PairRanks(int[] lefts, int[] rights, int firstMergeId) {
        this(lefts, rights, IntStream.range(0, lefts.length).map(rank -> firstMergeId + rank).toArray());
    }

    /** Merge {@code i} joins {@code lefts[i]} and {@code rights[i]} into id {@code mergedIds[i]}; the pairs must be distinct. */
    PairRanks(int[] lefts, int[] rights, int[] mergedIds) {
        this.mergedIds = mergedIds;
        int capacity = Integer.highestOneBit(Math.max(4, lefts.length * 2 + 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        shift = Long.numberOfLeadingZeros(mask);
        Arrays.fill(keys, EMPTY);
        for (int rank = 0; rank < lefts.length; rank++) {
            long key = key(lefts[rank], rights[rank]);
            int slot = slot(key);
            while (keys[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            ranks[slot] = rank;
        }
    }

    @Override
    public long merge(int left, int right) {
        long key = key(left, right);
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return MergeTable.entry(ranks[slot], mergedIds[ranks[slot]]);
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        // Fibonacci hashing: the high bits of the product depend on all bits of the key.
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
