package org.dcpserve.core.pruning;

/**
 * One token leaving one layer's KV cache for good.
 *
 * @param layer           the layer whose cache dropped it
 * @param position        position of the dropped token in the sequence
 * @param step            forward step in which it was dropped: 0 is the prefill, k the k-th decode step
 * @param dropperPosition position of the token whose vote dropped it (the first to vote 0)
 */
public record DropEvent(int layer, int position, int step, int dropperPosition) {
}
