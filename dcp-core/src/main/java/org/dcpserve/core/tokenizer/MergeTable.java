package org.dcpserve.core.tokenizer;

/**
 * Which adjacent token pairs merge, into what, and in which order: the one thing a BPE-style
 * encoder needs to know about its vocabulary ({@link PairMerger} does the rest).
 */
interface MergeTable {

    /**
     * {@code (priority << 32) | mergedId} when {@code left} followed by {@code right} merges, else -1.
     * Priorities are non-negative; the lowest goes first, and equal priorities go left to right.
     */
    long merge(int left, int right);

    static long entry(int priority, int mergedId) {
        return ((long) priority << 32) | mergedId;
    }
}
