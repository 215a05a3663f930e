package org.dcpserve.core.pruning;

import java.util.List;

/**
 * What pruning did to one sequence.
 *
 * @param policy            name of the pruning policy (dense, dcp, sliding_window)
 * @param layers            per layer: tokens kept and dropped at the end, bytes held
 * @param sparsity          fraction of causal context entries (query k, key j &lt; k) that were masked,
 *                          averaged over layers (method.md section 4)
 * @param kvCacheBytes      bytes of K, V (and interaction keys) the caches actually hold at the end
 * @param denseKvCacheBytes bytes a dense cache would hold for the same sequence
 * @param drops             every drop, in the order they happened
 */
public record PruningReport(String policy, List<LayerStats> layers, double sparsity, long kvCacheBytes,
                            long denseKvCacheBytes, List<DropEvent> drops) {

    /**
     * @param layer   layer index
     * @param kept    tokens in the layer's cache at the end
     * @param dropped tokens the layer dropped
     * @param kvBytes bytes the layer's cache holds at the end
     */
    public record LayerStats(int layer, int kept, int dropped, long kvBytes) {
    }
}
