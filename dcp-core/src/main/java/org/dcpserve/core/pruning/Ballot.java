package org.dcpserve.core.pruning;

import org.dcpserve.core.engine.LayerKvCache;

/**
 * One new token voting on the earlier tokens of one layer.
 *
 * @param layer          the layer
 * @param voterPosition  position of the voting token
 * @param queries        interaction queries of the new tokens, [T, r] (empty when the model has no gates)
 * @param queryOffset    where the voter's r values start in {@code queries}
 * @param cache          the layer's cache, which holds the candidates' positions and interaction keys
 * @param candidateSlots cache slots of the candidates; the first {@code count} are valid
 * @param count          number of candidates
 */
public record Ballot(int layer, int voterPosition, float[] queries, int queryOffset, LayerKvCache cache,
                     int[] candidateSlots, int count) {

    public int candidateSlot(int i) {
        return candidateSlots[i];
    }

    public int candidatePosition(int i) {
        return cache.positionAt(candidateSlots[i]);
    }
}
