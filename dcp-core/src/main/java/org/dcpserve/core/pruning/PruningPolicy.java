package org.dcpserve.core.pruning;

/**
 * Decides which earlier tokens a layer may forget. The engine asks one question, in order, for every
 * new token: "which of the tokens still alive in this layer do you vote to keep?". It then applies the
 * votes with DCP's semantics (method.md section 2): a token one vote drops is masked for that voter and
 * every later one and leaves the layer's cache for good, so the keep mask is the cumulative product of
 * the votes. Policies only vote; masking, eviction, traces and statistics are the engine's.
 */
public interface PruningPolicy {

    /** A short name for reports and traces: dense, dcp, sliding_window. */
    String name();

    /**
     * Whether the policy scores interaction keys, so the caches must keep them. A policy that does not
     * (dense, sliding window) runs a gated model without the gate's memory overhead.
     */
    default boolean usesInteractionKeys() {
        return false;
    }

    /**
     * Votes of one new token on the tokens before it that are still alive in one layer.
     *
     * @param ballot the voter and its candidates
     * @param keep   out: {@code keep[i]} is whether the voter keeps {@code ballot.candidate(i)}
     */
    void vote(Ballot ballot, boolean[] keep);
}
