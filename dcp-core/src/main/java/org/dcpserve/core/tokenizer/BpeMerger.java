package org.dcpserve.core.tokenizer;

import java.util.Arrays;

/**
 * Applies BPE merges to one word, lowest rank first, in O(n log n) for n bytes. Rescanning the word
 * for the best pair after every merge would be O(n²), which a long run of letters or spaces (one
 * word to the pre-tokeniser) turns into minutes.
 *
 * <p>The symbols form a linked list over their starting byte positions; a min-heap holds candidate
 * pairs keyed by (rank, position). A merge only changes the pairs on either side of it, so it pushes
 * at most two new candidates and leaves the old ones in the heap: an entry is stale, and skipped when
 * popped, once its pair is no longer the one at that position. Among equal ranks (the same pair) the
 * leftmost goes first, and a pair containing a new token always has a higher rank than the merge that
 * created it, so the result equals merging the lowest-rank pair's occurrences left to right, round by
 * round.
 */
final class BpeMerger {

    private static final int REMOVED = -1;

    private BpeMerger() {
    }

    /**
     * The tokens of a word given as its byte tokens ({@code symbols}, not modified). Merge {@code r}
     * joins {@code lefts[r]} and {@code rights[r]} into id {@code firstMergeId + r}.
     */
    static int[] merge(int[] symbols, PairRanks ranks, int[] lefts, int[] rights, int firstMergeId) {
        int n = symbols.length;
        if (n < 2) {
            return symbols.clone();
        }
        int[] ids = symbols.clone();
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            push(heap, ranks, ids, i, i + 1);
        }
        int remaining = n;
        while (!heap.isEmpty()) {
            long entry = heap.pop();
            int rank = (int) (entry >>> 32);
            int at = (int) entry;
            int right = next[at];
            if (ids[at] == REMOVED || right < 0 || ids[at] != lefts[rank] || ids[right] != rights[rank]) {
                continue; // stale: a merge next to it changed the pair at this position
            }
            ids[at] = firstMergeId + rank;
            ids[right] = REMOVED;
            int after = next[right];
            next[at] = after;
            if (after >= 0) {
                prev[after] = at;
                push(heap, ranks, ids, at, after);
            }
            if (prev[at] >= 0) {
                push(heap, ranks, ids, prev[at], at);
            }
            remaining--;
        }
        int[] tokens = new int[remaining];
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            tokens[count++] = ids[i];
        }
        return tokens;
    }

    private static void push(LongHeap heap, PairRanks ranks, int[] ids, int left, int right) {
        int rank = ranks.rank(ids[left], ids[right]);
        if (rank >= 0) {
            heap.push(((long) rank << 32) | left);
        }
    }

    /** A binary min-heap of longs: (rank << 32 | position) orders by rank, then by position. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= item) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = item;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
