package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/**
 * The pre-norm of a block or the final norm: LayerNorm with bias (gpt2) or RMSNorm (llama), over the
 * last axis, written out as the ONNX graphs compute it (TransformerGraphs.norm).
 */
final class Norm {

    private final NDArray weight;     // [d]
    private final NDArray bias;       // [d], null for RMSNorm
    private final float eps;

    Norm(NDArray weight, NDArray bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** x [..., d] -> [..., d] */
    NDArray apply(NDArray x) {
        int[] last = {-1};
        if (bias == null) {
            // RMSNorm: x / sqrt(mean(x^2) + eps) * weight
            NDArray rms = Ops.plus(x.mul(x).mean(last, true), eps).sqrt();          // [..., 1]
            return x.div(rms).mul(weight);                                          // [..., d]
        }
        // LayerNorm: (x - mean) / sqrt(var + eps) * weight + bias, biased variance as in ONNX/PyTorch
        NDArray centered = x.sub(x.mean(last, true));                              // [..., d]
        NDArray std = Ops.plus(centered.mul(centered).mean(last, true), eps).sqrt(); // [..., 1]
        return centered.div(std).mul(weight).add(bias);                            // [..., d]
    }
}
