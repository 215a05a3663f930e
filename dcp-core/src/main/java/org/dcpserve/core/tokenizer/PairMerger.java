package org.dcpserve.core.tokenizer;

import java.util.Arrays;

/**
 * Merges a sequence of symbols pair by pair, always the adjacent pair of lowest priority next
 * (leftmost among equals), in O(n log n) for n symbols. Rescanning the whole sequence for the best
 * pair after every merge, as llama2.c does, is O(n²), which a long run of letters or spaces (one word
 * to a pre-tokeniser, or a whole unseparated document to llama2.c's encoder) turns into minutes.
 *
 * <p>The symbols form a linked list over their starting positions; a min-heap holds candidate pairs
 * keyed by (priority, position). A merge only changes the pairs on either side of it, so it pushes at
 * most two new candidates and leaves the old ones in the heap: an entry is stale, and skipped when
 * popped, once the pair at its position no longer merges at its priority. Popping in (priority,
 * position) order is exactly "merge the best pair, leftmost on ties, then look again": every current
 * pair is in the heap, and none of the stale ones is acted on.
 */
final class PairMerger {

    private static final int REMOVED = -1;

    private PairMerger() {
    }

    /** The tokens {@code symbols} (not modified) become when every pair {@code table} allows is merged. */
    static int[] merge(int[] symbols, MergeTable table) {
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
            push(heap, table, ids, i, i + 1);
        }
        int remaining = n;
        while (!heap.isEmpty()) {
            long entry = heap.pop();
            int priority = (int) (entry >>> 32);
            int at = (int) entry;
            int right = next[at];
            long merged = ids[at] == REMOVED || right < 0 ? -1 : table.merge(ids[at], ids[right]);
            if (merged < 0 || (int) (merged >>> 32) != priority) {
                continue; // stale: a merge next to it changed the pair at this position
            }
            ids[at] = (int) merged;
            ids[right] = REMOVED;
            int after = next[right];
            next[at] = after;
            if (after >= 0) {
                prev[after] = at;
                push(heap, table, ids, at, after);
            }
            if (prev[at] >= 0) {
                push(heap, table, ids, prev[at], at);
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

    private static void push(LongHeap heap, MergeTable table, int[] ids, int left, int right) {
        long merged = table.merge(ids[left], ids[right]);
        if (merged >= 0) {
            heap.push((merged & 0xFFFFFFFF00000000L) | left);
        }
    }

    /** A binary min-heap of longs: (priority << 32 | position) orders by priority, then by position. */
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
