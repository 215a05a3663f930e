package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/** The feed-forward half of a block: SwiGLU (llama) or GELU-tanh (gpt2). */
final class Mlp {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private final NDArray first;       // llama w_gate [d, f]; gpt2 fc [d, f]
    private final NDArray up;          // llama w_up [d, f]; gpt2 null
    private final NDArray second;      // llama w_down [f, d]; gpt2 proj [f, d]
    private final NDArray firstBias;   // gpt2 fc_bias [f]; llama null
    private final NDArray secondBias;  // gpt2 proj_bias [d]; llama null

    private Mlp(NDArray first, NDArray up, NDArray second, NDArray firstBias, NDArray secondBias) {
        this.first = first;
        this.up = up;
        this.second = second;
        this.firstBias = firstBias;
        this.secondBias = secondBias;
    }

    static Mlp swiglu(NDArray gate, NDArray up, NDArray down) {
        return new Mlp(gate, up, down, null, null);
    }

    static Mlp gelu(NDArray fc, NDArray fcBias, NDArray proj, NDArray projBias) {
        return new Mlp(fc, null, proj, fcBias, projBias);
    }

    /** x [B, n, d] (normalised) -> [B, n, d] */
    NDArray forward(NDArray x) {
        if (up != null) {
            NDArray gate = x.matMul(first);                                        // [B, n, f]
            NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid());          // [B, n, f]
            return silu.mul(x.matMul(up)).matMul(second);                          // [B, n, d]
        }
        NDArray h = Linear.apply(x, first, firstBias);                             // [B, n, f]
        // GPT-2's tanh approximation: 0.5 h (1 + tanh(sqrt(2/pi) (h + 0.044715 h^3)))
        NDArray inner = Ops.times(h.add(Ops.times(h.mul(h).mul(h), 0.044715f)), SQRT_2_OVER_PI);
        NDArray gelu = Ops.times(h, 0.5f).mul(Ops.plus(inner.tanh(), 1f));          // [B, n, f]
        return Linear.apply(gelu, second, secondBias);                             // [B, n, d]
    }
}
