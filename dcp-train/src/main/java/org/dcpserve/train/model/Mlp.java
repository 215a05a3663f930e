package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/** The feed-forward half of a block: SwiGLU (llama) or GELU-tanh (gpt2). */
final class Mlp {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private final Linear first;       // llama w_gate [d, f]; gpt2 fc [d, f] with fc_bias
    private final Linear up;          // llama w_up [d, f]; gpt2 null
    private final Linear second;      // llama w_down [f, d]; gpt2 proj [f, d] with proj_bias

    private Mlp(Linear first, Linear up, Linear second) {
        this.first = first;
        this.up = up;
        this.second = second;
    }

    static Mlp swiglu(NDArray gate, NDArray up, NDArray down) {
        return new Mlp(new Linear(gate, null), new Linear(up, null), new Linear(down, null));
    }

    static Mlp gelu(Linear fc, Linear proj) {
        return new Mlp(fc, null, proj);
    }

    /** x [B, n, d] (normalised) -> [B, n, d] */
    NDArray forward(NDArray x) {
        if (up != null) {
            NDArray gate = first.apply(x);                                         // [B, n, f]
            NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid());          // [B, n, f]
            return second.apply(silu.mul(up.apply(x)));                            // [B, n, d]
        }
        NDArray h = first.apply(x);                                                // [B, n, f]
        // GPT-2's tanh approximation: 0.5 h (1 + tanh(sqrt(2/pi) (h + 0.044715 h^3)))
        NDArray inner = Ops.times(h.add(Ops.times(h.mul(h).mul(h), 0.044715f)), SQRT_2_OVER_PI);
        NDArray gelu = Ops.times(h, 0.5f).mul(Ops.plus(inner.tanh(), 1f));          // [B, n, f]
        return second.apply(gelu);                                                 // [B, n, d]
    }
}
