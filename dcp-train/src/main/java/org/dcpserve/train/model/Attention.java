package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head causal self-attention with grouped-query heads (query head h reads key/value head h / G,
 * G = heads / kvHeads), optional per-head q/k RMSNorm (Qwen3) and optional RoPE, as the engine's graphs
 * compute it (TransformerBlocks.queryKeyValue, then TransformerGraphs.attention).
 */
final class Attention {

    private final Linear q, k, v, o;        // [d, H*hd], [d, Hkv*hd], [d, Hkv*hd], [H*hd, d], biases optional
    private final Norm qNorm, kNorm;        // RMSNorm over each head's hd components, or null
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Rope rope;                // null for gpt2 (learned positions)

    /**
     * @param qNorm Qwen3's q_norm [hd], or null (then kNorm is null too)
     */
    Attention(Linear q, Linear k, Linear v, Linear o, Norm qNorm, Norm kNorm, int heads, int kvHeads, int headDim,
              Rope rope) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rope = rope;
    }

    /**
     * @param xn   normalised input [B, n, d]
     * @param mask additive mask, [B, 1, n, n] or [1, 1, n, n], causal part included
     * @return attention output after the output projection [B, n, d]
     */
    NDArray forward(NDArray xn, NDArray mask) {
        long b = xn.getShape().get(0);
        long n = xn.getShape().get(1);
        int groups = heads / kvHeads;
        NDArray qh = q.apply(xn).reshape(b, n, heads, headDim);                                   // [B, n, H, hd]
        NDArray kh = k.apply(xn).reshape(b, n, kvHeads, headDim);                                 // [B, n, Hkv, hd]
        if (qNorm != null) {
            // Before the rotation, as the engine's projection graph and Qwen3 do.
            qh = qNorm.apply(qh);                                                                 // [B, n, H, hd]
            kh = kNorm.apply(kh);                                                                 // [B, n, Hkv, hd]
        }
        qh = qh.transpose(0, 2, 1, 3);                                                            // [B, H, n, hd]
        kh = kh.transpose(0, 2, 1, 3);                                                            // [B, Hkv, n, hd]
        NDArray vh = v.apply(xn).reshape(b, n, kvHeads, headDim).transpose(0, 2, 1, 3);           // [B, Hkv, n, hd]
        if (rope != null) {
            Rope.Tables tables = rope.tables((int) n);
            qh = rope.apply(qh, tables);
            kh = rope.apply(kh, tables);
        }
        // Heads h = kv * G + g: folding the G query heads of one KV head into the row axis lets one
        // batched matmul per KV head do grouped-query attention without copying K and V G times.
        NDArray grouped = qh.reshape(b, kvHeads, groups * n, headDim);                            // [B, Hkv, G*n, hd]
        NDArray scores = Ops.times(grouped.matMul(kh.transpose(0, 1, 3, 2)), (float) (1.0 / Math.sqrt(headDim))) // [B, Hkv, G*n, n]
                .reshape(b, heads, n, n)                                                          // [B, H, n, n]
                .add(mask);
        NDArray probs = scores.softmax(-1);                                                       // [B, H, n, n]
        NDArray context = probs.reshape(b, kvHeads, groups * n, n).matMul(vh)                     // [B, Hkv, G*n, hd]
                .reshape(b, heads, n, headDim)                                                    // [B, H, n, hd]
                .transpose(0, 2, 1, 3)                                                            // [B, n, H, hd]
                .reshape(new Shape(b, n, (long) heads * headDim));                                // [B, n, H*hd]
        return o.apply(context);                                                                  // [B, n, d]
    }
}
