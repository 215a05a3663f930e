package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.dcpserve.core.pruning.Ballot;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.pruning.PruningPolicy;

/**
 * Applies a pruning policy to one layer for one forward step, between the projection and the
 * attention sub-graphs. The new tokens (already appended to the cache) vote in position order; a token
 * dropped by voter m is masked for m and every later query and evicted once the step's attention ran.
 * That is the hard cumulative product I[k, j] = prod_{m=j+1..k} Ibar[m, j] of method.md, for a prefill of
 * many tokens and a decode step of one alike.
 */
final class LayerGate {

    private static final float BLOCKED = Float.NEGATIVE_INFINITY;
    private static final int NEVER = Integer.MAX_VALUE;

    private final PruningPolicy policy;
    private int[] candidates = new int[0];
    private boolean[] keep = new boolean[0];
    private float[] row = new float[0];

    LayerGate(PruningPolicy policy) {
        this.policy = policy;
    }

    /**
     * Collects the votes of the T new tokens at positions {@code first ..} and writes the additive attention
     * mask [T, C] over the cache's region into {@code mask} (C = {@code maskWidth}; the slots from S on, never
     * used yet, blocked); appends a drop event per dropped token and fills {@code droppedAt[slot]} (NEVER when
     * kept).
     */
    void vote(int layer, int step, LayerKvCache cache, float[] interactionQueries, int rank, int first, int count,
              int[] droppedAt, List<DropEvent> drops, FloatBuffer mask, int maskWidth) {
        int slots = cache.slotCount();
        Arrays.fill(droppedAt, 0, slots, NEVER);
        if (candidates.length < slots) {
            candidates = new int[Math.max(slots, 2 * candidates.length)];
            keep = new boolean[candidates.length];
        }
        for (int t = 0; t < count; t++) {
            int voter = first + t;
            int alive = 0;
            for (int s = 0; s < slots; s++) {
                int position = cache.positionAt(s);
                if (position >= 0 && position < voter && droppedAt[s] == NEVER) {
                    candidates[alive++] = s;
                }
            }
            policy.vote(new Ballot(layer, voter, interactionQueries, t * rank, cache, candidates, alive), keep);
            for (int i = 0; i < alive; i++) {
                if (!keep[i]) {
                    droppedAt[candidates[i]] = voter;
                    drops.add(new DropEvent(layer, cache.positionAt(candidates[i]), step, voter));
                }
            }
        }
        if (row.length < maskWidth) {
            row = new float[maskWidth];
        }
        for (int t = 0; t < count; t++) {
            int query = first + t;
            for (int s = 0; s < slots; s++) {
                int position = cache.positionAt(s);
                boolean visible = position >= 0 && position <= query && droppedAt[s] > query;
                row[s] = visible ? 0f : BLOCKED;
            }
            Arrays.fill(row, slots, maskWidth, BLOCKED);
            mask.put(t * maskWidth, row, 0, maskWidth);   // one bulk copy per row, not C buffer writes
        }
    }

    /** Evicts what this step dropped, then repacks the cache if it became too sparse. */
    static void evictDropped(LayerKvCache cache, int[] droppedAt, int slots) {
        for (int s = 0; s < slots; s++) {
            if (droppedAt[s] != NEVER) {
                cache.evict(s);
            }
        }
        cache.repackIfFragmented();
    }
}
