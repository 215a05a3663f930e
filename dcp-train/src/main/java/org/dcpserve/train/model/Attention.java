package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head causal self-attention with grouped-query heads (query head h reads key/value head
 * h / G, G = heads / kvHeads) and optional RoPE, as TransformerGraphs.attention computes it.
 */
final class Attention {

    private final NDArray wq, wk, wv, wo;   // [d, H*hd], [d, Hkv*hd], [d, Hkv*hd], [d, d]
    private final NDArray bq, bk, bv, bo;   // biases (gpt2) or null (llama)
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Rope rope;                // null for gpt2 (learned positions)

    Attention(NDArray wq, NDArray wk, NDArray wv, NDArray wo, NDArray bq, NDArray bk, NDArray bv, NDArray bo,
              int heads, int kvHeads, Rope rope) {
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.bq = bq;
        this.bk = bk;
        this.bv = bv;
        this.bo = bo;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = (int) (wq.getShape().get(1) / heads);
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
        NDArray q = Linear.apply(xn, wq, bq).reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);   // [B, H, n, hd]
        NDArray k = Linear.apply(xn, wk, bk).reshape(b, n, kvHeads, headDim).transpose(0, 2, 1, 3); // [B, Hkv, n, hd]
        NDArray v = Linear.apply(xn, wv, bv).reshape(b, n, kvHeads, headDim).transpose(0, 2, 1, 3); // [B, Hkv, n, hd]
        if (rope != null) {
            Rope.Tables tables = rope.tables((int) n);
            q = rope.apply(q, tables);
            k = rope.apply(k, tables);
        }
        // Heads h = kv * G + g: folding the G query heads of one KV head into the row axis lets one
        // batched matmul per KV head do grouped-query attention without copying K and V G times.
        NDArray grouped = q.reshape(b, kvHeads, groups * n, headDim);                               // [B, Hkv, G*n, hd]
        NDArray scores = Ops.times(grouped.matMul(k.transpose(0, 1, 3, 2)), (float) (1.0 / Math.sqrt(headDim))) // [B, Hkv, G*n, n]
                .reshape(b, heads, n, n)                                                           // [B, H, n, n]
                .add(mask);
        NDArray probs = scores.softmax(-1);                                                        // [B, H, n, n]
        NDArray context = probs.reshape(b, kvHeads, groups * n, n).matMul(v)                       // [B, Hkv, G*n, hd]
                .reshape(b, heads, n, headDim)                                                     // [B, H, n, hd]
                .transpose(0, 2, 1, 3)                                                             // [B, n, H, hd]
                .reshape(new Shape(b, n, (long) heads * headDim));                                 // [B, n, d]
        return Linear.apply(context, wo, bo);                                                      // [B, n, d]
    }
}
