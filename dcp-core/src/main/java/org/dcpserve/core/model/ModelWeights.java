package org.dcpserve.core.model;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of one model under canonical names, independent of where they came from. Matrices are
 * stored input-major, {@code [in, out]}, so every projection is {@code y = x · W (+ b)}.
 *
 * <pre>
 * tok_embeddings                 [vocab, d]
 * pos_embeddings                 [context, d]           gpt2 only
 * layers.N.attn_norm.weight      [d]                    (+ .bias for gpt2)
 * layers.N.wq / wk / wv          [d, heads*hd] / [d, kv_heads*hd] / [d, kv_heads*hd]
 * layers.N.bq / bk / bv          [heads*hd] ...         gpt2, and llama with attention_bias (Qwen2)
 * layers.N.q_norm.weight, k_norm [hd]                   llama with qk_norm (Qwen3): RMSNorm of every head
 * layers.N.wo                    [heads*hd, d]          (+ layers.N.bo for gpt2)
 * layers.N.mlp_norm.weight       [d]                    (+ .bias for gpt2)
 * layers.N.w_gate, w_up          [d, ffn]               llama: w_down(silu(x·w_gate) * x·w_up)
 * layers.N.w_down                [ffn, d]
 * layers.N.fc, fc_bias           [d, ffn], [ffn]        gpt2: proj(gelu(x·fc + fc_bias)) + proj_bias
 * layers.N.proj, proj_bias       [ffn, d], [d]
 * layers.N.wq_int, wk_int        [d, r]                 DCP gate (only in pruned models)
 * final_norm.weight              [d]                    (+ .bias for gpt2)
 * lm_head                        [d, vocab]
 * </pre>
 */
public final class ModelWeights implements WeightSource {

    public static final String TOK_EMBEDDINGS = "tok_embeddings";
    public static final String POS_EMBEDDINGS = "pos_embeddings";
    public static final String FINAL_NORM = "final_norm";
    public static final String LM_HEAD = "lm_head";

    private final Map<String, FloatTensor> tensors = new LinkedHashMap<>();

    /** Name of a per-layer tensor, e.g. {@code layer(3, "wq")} is {@code layers.3.wq}. */
    public static String layer(int layer, String name) {
        return "layers." + layer + "." + name;
    }

    public ModelWeights put(String name, FloatTensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    public FloatTensor get(String name) {
        FloatTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("missing weight tensor '" + name + "'");
        }
        return tensor;
    }

    public FloatTensor layerTensor(int layer, String name) {
        return get(layer(layer, name));
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public int[] shape(String name) {
        return get(name).shape().clone();
    }

    @Override
    public void read(String name, FloatBuffer out) {
        out.put(0, get(name).data());
    }

    @Override
    public void readRows(String name, long[] rows, FloatBuffer out) {
        FloatTensor matrix = get(name);
        int cols = matrix.dim(1);
        for (int i = 0; i < rows.length; i++) {
            out.put(i * cols, matrix.data(), Math.toIntExact(rows[i] * cols), cols);
        }
    }

    @Override
    public FloatTensor tensor(String name) {
        return get(name);
    }

    public Map<String, FloatTensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Total number of parameters. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(t -> t.data().length).sum();
    }
}
