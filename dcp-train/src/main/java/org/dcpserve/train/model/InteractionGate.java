package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/**
 * The DCP gate of one layer (method.md sections 1-2): interaction queries and keys from the layer's
 * normalised attention input, one keep vote per (later token m, earlier token j), and the cumulative
 * product of the votes as an additive attention mask shared by all heads of the layer.
 */
final class InteractionGate {

    /** Votes below this are treated as this in log space: log 0 would give -inf and NaN gradients. */
    static final float TINY_VOTE = 1e-30f;
    /** Floor of the soft additive mask, log(1e-30) ~ -69: a dropped token weighs e^-69 relative to a kept one. */
    static final float LOG_FLOOR = (float) Math.log(1e-30);

    private final NDArray wqInt;     // [d, r]
    private final NDArray wkInt;     // [d, r]
    private final NDArray beta;      // [1]
    private final float inverseSqrtRank;

    InteractionGate(NDArray wqInt, NDArray wkInt, NDArray beta) {
        this.wqInt = wqInt;
        this.wkInt = wkInt;
        this.beta = beta;
        this.inverseSqrtRank = (float) (1.0 / Math.sqrt(wqInt.getShape().get(1)));
    }

    /**
     * Gate scores s[m, j] = &lt;Qint[m], Kint[j]&gt; / sqrt(r) + beta, for every pair (the caller masks).
     *
     * @param xn the normalised attention input [B, n, d], the same tensor the q/k/v projections read
     * @return [B, n (voter m), n (candidate j)]
     */
    NDArray scores(NDArray xn) {
        NDArray qInt = xn.matMul(wqInt);                                   // [B, n, r]
        NDArray kInt = xn.matMul(wkInt);                                   // [B, n, r]
        // Multiply by 1/sqrt(r) (not divide) and then add beta: the engine's DcpGatePolicy order.
        return Ops.times(qInt.matMul(kInt.transpose(0, 2, 1)), inverseSqrtRank).add(beta);   // [B, n, n]
    }

    /**
     * The keep matrix I and its additive mask for one layer.
     *
     * @return additive mask [B, n, n] (not yet causal: the caller adds the causal mask) and the mean of
     *         I over the causal pairs j &lt; k, a scalar
     */
    GateMask mask(NDArray xn, MaskMode mode, Masks masks) {
        NDArray s = scores(xn);                                            // [B, n, n], s[b, m, j]
        long batch = s.getShape().get(0);
        NDArray keep;                                                      // [B, n, n], I[b, k, j]
        NDArray additive;
        if (mode instanceof MaskMode.DcpHard) {
            // Hard votes 1[s > 0]; positions m <= j do not vote (factor 1). The running product down
            // the query axis is I[k, j] = prod_{m=j+1..k} vote[m, j], exactly 0 or 1.
            NDArray votes = SparseSigmoid.step(s).mul(masks.strictlyAfter()).add(masks.atOrBefore()); // [B, n, n]
            keep = votes.cumProd(1);                                       // [B, n, n]
            additive = keep.log();                                         // 0 or -inf, like the engine
        } else {
            double alpha = ((MaskMode.Dcp) mode).alpha();
            // Non-voters (m <= j) are shifted to vote 1 so that the sigmoid only works on real votes.
            NDArray votes = SparseSigmoid.apply(s.add(masks.nonVoterShift()), alpha);   // [B, n, n], Ibar[m, j]
            // log I[k, j] = sum_{m=j+1..k} log Ibar[m, j]: a cumulative sum in log space instead of a
            // product, so the gradient never multiplies a zero by an infinity. Votes are floored at
            // TINY_VOTE before the log; below it the gradient is 0 (max's), never 1/0.
            NDArray logVotes = Ops.atLeast(votes, TINY_VOTE).log().mul(masks.strictlyAfter());  // [B, n, n]
            NDArray logKeep = logVotes.cumSum(1);                          // [B, n, n]
            keep = logKeep.exp();                                          // [B, n, n]
            additive = Ops.atLeast(logKeep, LOG_FLOOR);                    // log(I) floored: no -inf in training
        }
        NDArray meanKeep = Ops.dividedBy(keep.mul(masks.strictlyAfter()).sum(), batch * masks.causalPairs()); // []
        return new GateMask(additive, meanKeep);
    }

    /** @param additive [B, n, n] log I (without the causal part) @param meanKeep [] mean of I over causal pairs */
    record GateMask(NDArray additive, NDArray meanKeep) {
    }
}
