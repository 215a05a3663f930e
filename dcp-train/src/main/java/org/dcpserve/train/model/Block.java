package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One pre-norm transformer block with its DCP gate:
 * {@code x + attn(norm1(x), mask(norm1(x)))}, then {@code x + mlp(norm2(x))}. The gate reads the same
 * normalised tensor as the q/k/v projections, as the engine's projection sub-graph does.
 */
final class Block {

    private final Norm attnNorm;
    private final Attention attention;
    private final InteractionGate gate;     // null when the model has no DCP gates
    private final Norm mlpNorm;
    private final Mlp mlp;

    Block(Norm attnNorm, Attention attention, InteractionGate gate, Norm mlpNorm, Mlp mlp) {
        this.attnNorm = attnNorm;
        this.attention = attention;
        this.gate = gate;
        this.mlpNorm = mlpNorm;
        this.mlp = mlp;
    }

    /**
     * @param x     the residual stream [B, n, d]
     * @param keeps out: this layer's mean keep over causal pairs, a scalar, is appended
     * @return the block output [B, n, d]
     */
    NDArray forward(NDArray x, MaskMode mode, Masks masks, java.util.List<NDArray> keeps) {
        NDManager local = x.getManager();
        NDArray xn = attnNorm.apply(x);                                           // [B, n, d]
        NDArray mask;                                                            // [B or 1, 1?, n, n] additive
        switch (mode) {
            case MaskMode.Dense dense -> {
                mask = masks.causal();                                           // [n, n]
                keeps.add(local.full(new ai.djl.ndarray.types.Shape(), 1f));
            }
            case MaskMode.SlidingWindow window -> {
                mask = masks.slidingWindow(local, window.window());              // [n, n]
                keeps.add(local.full(new ai.djl.ndarray.types.Shape(), (float) masks.slidingWindowKeep(window.window())));
            }
            case MaskMode.Dcp soft -> mask = gated(xn, mode, masks, keeps);
            case MaskMode.DcpHard hard -> mask = gated(xn, mode, masks, keeps);
        }
        x = x.add(attention.forward(xn, mask));                                   // [B, n, d]
        return x.add(mlp.forward(mlpNorm.apply(x)));                              // [B, n, d]
    }

    private NDArray gated(NDArray xn, MaskMode mode, Masks masks, java.util.List<NDArray> keeps) {
        if (gate == null) {
            throw new IllegalStateException("mask mode " + mode + " needs DCP gates but this model has none");
        }
        InteractionGate.GateMask g = gate.mask(xn, mode, masks);
        keeps.add(g.meanKeep());
        // One mask for all heads of the layer: [B, 1, n, n], plus causal [n, n] broadcast.
        return g.additive().expandDims(1).add(masks.causal());
    }
}
