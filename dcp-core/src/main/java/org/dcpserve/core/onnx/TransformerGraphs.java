package org.dcpserve.core.onnx;

import static org.dcpserve.core.model.ModelWeights.layer;
import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * Builds the per-layer ONNX sub-graphs of a decoder-only transformer from canonical weights. The
 * model is cut so that Java sits between the projections and the attention of every layer: that is
 * where the DCP gate scores the cache and evicts tokens.
 *
 * <pre>
 * embed          token_ids [N] (+ positions [N] for gpt2)            -> hidden [N, d]
 * layer_NN_proj  hidden [N, d] (+ positions [N] for llama)           -> q [N, H, hd], k, v [N, Hkv, hd]
 *                                                                       (+ q_int, k_int [N, r] with DCP)
 * attention      q [B, T, H, hd], k_cache, v_cache [B, Hkv, C, hd], mask [B, T, C] -> context [B*T, H*hd]
 * layer_NN_out   hidden [N, d], context [N, H*hd]                     -> hidden [N, d]
 * head           hidden [N, d]                                        -> logits [N, vocab]
 * </pre>
 *
 * N is the number of new tokens of all sequences in a step, stacked: every graph with weights reads
 * them once per step for all sequences. Attention, which has no weights, reads B regions of a layer's
 * KV pool, C slots each (new tokens included): all decode sequences of a step at once (T = 1), or one
 * sequence's prompt chunk (B = 1). The mask is additive: 0 where a query may attend to a slot, -inf where
 * it may not (pruned tokens, free slots). H*hd is d except where a model sets its head width (Qwen3).
 */
public final class TransformerGraphs {

    /** How far below its row's maximum an attention score may lie (see {@link #attention}). */
    static final float SCORE_FLOOR = 75f;

    private final ModelConfig config;
    private final ModelWeights weights;

    public TransformerGraphs(ModelConfig config, ModelWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    public ModelProto embedding() {
        OnnxGraph g = new OnnxGraph("embed");
        String ids = g.int64Input("token_ids", "T");
        String hidden = g.op("Gather", g.weight(ModelWeights.TOK_EMBEDDINGS, weights.get(ModelWeights.TOK_EMBEDDINGS)), ids);
        if (config.architecture() == Architecture.GPT2) {
            String positions = g.int64Input("positions", "T");
            String pos = g.op("Gather", g.weight(ModelWeights.POS_EMBEDDINGS, weights.get(ModelWeights.POS_EMBEDDINGS)), positions);
            hidden = g.op("Add", hidden, pos);                                           // [T, d]
        }
        g.floatOutput(hidden, "hidden", "T", config.dModel());
        return g.toModel();
    }

    public ModelProto projection(int layer) {
        OnnxGraph g = new OnnxGraph("layer_" + layer + "_proj");
        int hd = config.headDim();
        String x = g.floatInput("hidden", "T", config.dModel());
        String n = norm(g, x, layer(layer, "attn_norm"));                                // [T, d]
        String q = g.op("Reshape", linear(g, n, layer, "wq", "bq"), g.ints(-1, config.heads(), hd));   // [T, H, hd]
        String k = g.op("Reshape", linear(g, n, layer, "wk", "bk"), g.ints(-1, config.kvHeads(), hd)); // [T, Hkv, hd]
        String v = g.op("Reshape", linear(g, n, layer, "wv", "bv"), g.ints(-1, config.kvHeads(), hd)); // [T, Hkv, hd]
        if (config.qkNorm()) {
            // Qwen3: an RMSNorm over each head's own hd components, before the rotation.
            q = norm(g, q, layer(layer, "q_norm"));                                                  // [T, H, hd]
            k = norm(g, k, layer(layer, "k_norm"));                                                  // [T, Hkv, hd]
        }
        if (config.architecture() == Architecture.LLAMA) {
            String positions = g.int64Input("positions", "T");
            String[] cosSin = ropeTables(g, positions);
            q = rope(g, q, cosSin);
            k = rope(g, k, cosSin);
        }
        g.floatOutput(q, "q", "T", config.heads(), hd);
        g.floatOutput(k, "k", "T", config.kvHeads(), hd);
        g.floatOutput(v, "v", "T", config.kvHeads(), hd);
        if (config.hasDcpGates()) {
            int r = config.dcp().rank();
            g.floatOutput(g.op("MatMul", n, g.weight(layer(layer, "wq_int"), weights.layerTensor(layer, "wq_int"))), "q_int", "T", r);
            g.floatOutput(g.op("MatMul", n, g.weight(layer(layer, "wk_int"), weights.layerTensor(layer, "wk_int"))), "k_int", "T", r);
        }
        return g.toModel();
    }

    /**
     * Attention of T new tokens of each of B sequences over their caches. It has no weights, so one graph
     * serves every layer. The caches are B regions of a layer's pool (head-major, C slots each, the free
     * ones hidden by the mask): a decode step attends all of a step loop's sequences in one call, and a
     * prompt chunk its own sequence (B = 1) over its own region.
     */
    public static ModelProto attention(ModelConfig config) {
        return attention(config, SCORE_FLOOR);
    }

    /** The attention graph with another score floor ({@code +inf}: none), for the benchmark that justifies it. */
    public static ModelProto attention(ModelConfig config, float scoreFloor) {
        OnnxGraph g = new OnnxGraph("attention");
        int h = config.heads();
        int hkv = config.kvHeads();
        int hd = config.headDim();
        String q = g.floatInput("q", "B", "T", h, hd);
        String kCache = g.floatInput("k_cache", "B", hkv, "C", hd);
        String vCache = g.floatInput("v_cache", "B", hkv, "C", hd);
        String mask = g.floatInput("mask", "B", "T", "C");

        // Query head i uses key/value head i / G; grouping the G query heads of a KV head along the row axis
        // lets one MatMul per (sequence, KV head) do grouped-query attention. K^T is a transpose of the last
        // two axes, which ONNX Runtime folds into the MatMul: the cache is read in place, not copied.
        String qh = g.opWith("Transpose", new String[] {q}, Attribute.ints("perm", 0, 2, 1, 3));        // [B, H, T, hd]
        String qg = g.op("Reshape", qh, g.ints(0, hkv, -1, hd));                                       // [B, Hkv, G*T, hd]
        String kt = g.opWith("Transpose", new String[] {kCache}, Attribute.ints("perm", 0, 1, 3, 2));  // [B, Hkv, hd, C]
        String scores = g.op("Mul", g.op("MatMul", qg, kt), g.scalar((float) (1.0 / Math.sqrt(hd))));  // [B, Hkv, G*T, C]
        scores = g.op("Add", g.op("Reshape", scores, g.ints(0, h, -1, 0)),
                g.op("Unsqueeze", mask, g.ints(1)));                                                    // [B, H, T, C]
        // Masked slots (-inf) would get subnormal softmax weights, and arithmetic on subnormals is a slow
        // microcode path (ScoreFloorBenchmark: 2x on a half-masked pool). So no score lies more than
        // SCORE_FLOOR below its row's maximum: a masked slot's weight is e^-75 / sum (> 1e-36, a normal
        // float, and nothing next to the weights of the visible slots, which sum to at least 1).
        String rowMax = g.opWith("ReduceMax", new String[] {scores}, Attribute.ints("axes", -1),
                Attribute.of("keepdims", 1L));                                                            // [B, H, T, 1]
        scores = g.op("Max", scores, g.op("Sub", rowMax, g.scalar(scoreFloor)));                        // [B, H, T, C]
        String probs = g.opWith("Softmax", new String[] {scores}, Attribute.of("axis", -1L));          // [B, H, T, C]
        String ctx = g.op("MatMul", g.op("Reshape", probs, g.ints(0, hkv, -1, 0)), vCache);            // [B, Hkv, G*T, hd]
        ctx = g.opWith("Transpose", new String[] {g.op("Reshape", ctx, g.ints(0, h, -1, hd))},
                Attribute.ints("perm", 0, 2, 1, 3));                                                     // [B, T, H, hd]
        g.floatOutput(g.op("Reshape", ctx, g.ints(-1, config.qDim())), "context", "BT", config.qDim()); // [B*T, H*hd]
        return g.toModel();
    }

    /** The rest of the block after attention, over the rows of every sequence at once. */
    public ModelProto output(int layer) {
        OnnxGraph g = new OnnxGraph("layer_" + layer + "_out");
        String x = g.floatInput("hidden", "N", config.dModel());                                     // [N, d]
        String ctx = g.floatInput("context", "N", config.qDim());                                    // [N, H*hd]
        String attended = g.op("Add", x, linear(g, ctx, layer, "wo", "bo"));                         // [N, d]
        String out = g.op("Add", attended, mlp(g, norm(g, attended, layer(layer, "mlp_norm")), layer)); // [N, d]
        g.floatOutput(out, "hidden_out", "N", config.dModel());
        return g.toModel();
    }

    public ModelProto head() {
        OnnxGraph g = new OnnxGraph("head");
        String x = g.floatInput("hidden", "T", config.dModel());
        String n = norm(g, x, ModelWeights.FINAL_NORM);
        String logits = g.op("MatMul", n, g.weight(ModelWeights.LM_HEAD, weights.get(ModelWeights.LM_HEAD)));
        g.floatOutput(logits, "logits", "T", config.vocabSize());
        return g.toModel();
    }

    /**
     * For comparison only (dcp bench-grid --monolithic): the whole dense model as one graph for a decode
     * step of B sequences of equal length, the KV cache as inputs and outputs, the way exported decoder graphs
     * usually carry it. No pruning is possible inside it: Java never sees the cache between layers.
     *
     * <pre>
     * token_ids, positions [B]; past_k_L, past_v_L [B, P, Hkv, hd] -> logits [B, vocab];
     *                                                                 present_k_L, present_v_L [B, P + 1, Hkv, hd]
     * </pre>
     */
    public ModelProto monolithicDecode() {
        OnnxGraph g = new OnnxGraph("decode");
        int h = config.heads();
        int hkv = config.kvHeads();
        int hd = config.headDim();
        String ids = g.int64Input("token_ids", "B");
        String positions = g.int64Input("positions", "B");
        String x = g.op("Gather", g.weight(ModelWeights.TOK_EMBEDDINGS, weights.get(ModelWeights.TOK_EMBEDDINGS)), ids);
        if (config.architecture() == Architecture.GPT2) {
            x = g.op("Add", x, g.op("Gather",
                    g.weight(ModelWeights.POS_EMBEDDINGS, weights.get(ModelWeights.POS_EMBEDDINGS)), positions)); // [B, d]
        }
        String[] cosSin = config.architecture() == Architecture.LLAMA ? ropeTables(g, positions) : null;
        for (int layer = 0; layer < config.layers(); layer++) {
            String n = norm(g, x, layer(layer, "attn_norm"));                                          // [B, d]
            String q = g.op("Reshape", linear(g, n, layer, "wq", "bq"), g.ints(-1, h, hd));              // [B, H, hd]
            String k = g.op("Reshape", linear(g, n, layer, "wk", "bk"), g.ints(-1, hkv, hd));            // [B, Hkv, hd]
            String v = g.op("Reshape", linear(g, n, layer, "wv", "bv"), g.ints(-1, hkv, hd));            // [B, Hkv, hd]
            if (cosSin != null) {
                q = rope(g, q, cosSin);
                k = rope(g, k, cosSin);
            }
            // Head-major past/present [B, Hkv, S, hd], the layout of exported past_key_values: the new entry is
            // concatenated along S (the copy a graph with the cache as input and output cannot avoid) and
            // K^T is folded into the MatMul.
            String pastK = g.floatInput("past_k_" + layer, "B", hkv, "P", hd);
            String pastV = g.floatInput("past_v_" + layer, "B", hkv, "P", hd);
            String keys = g.opWith("Concat", new String[] {pastK, g.op("Unsqueeze", k, g.ints(2))},
                    Attribute.of("axis", 2L));                                                           // [B, Hkv, S, hd]
            String values = g.opWith("Concat", new String[] {pastV, g.op("Unsqueeze", v, g.ints(2))},
                    Attribute.of("axis", 2L));
            g.floatOutput(keys, "present_k_" + layer, "B", hkv, "S", hd);
            g.floatOutput(values, "present_v_" + layer, "B", hkv, "S", hd);
            String qg = g.op("Reshape", q, g.ints(0, hkv, -1, hd));                                      // [B, Hkv, G, hd]
            String kt = g.opWith("Transpose", new String[] {keys}, Attribute.ints("perm", 0, 1, 3, 2)); // [B, Hkv, hd, S]
            String scores = g.op("Mul", g.op("MatMul", qg, kt), g.scalar((float) (1.0 / Math.sqrt(hd)))); // [B, Hkv, G, S]
            String probs = g.opWith("Softmax", new String[] {scores}, Attribute.of("axis", -1L));
            String ctx = g.op("Reshape", g.op("MatMul", probs, values), g.ints(-1, config.dModel()));    // [B, d]
            String attended = g.op("Add", x, linear(g, ctx, layer, "wo", "bo"));
            x = g.op("Add", attended, mlp(g, norm(g, attended, layer(layer, "mlp_norm")), layer));        // [B, d]
        }
        String logits = g.op("MatMul", norm(g, x, ModelWeights.FINAL_NORM),
                g.weight(ModelWeights.LM_HEAD, weights.get(ModelWeights.LM_HEAD)));
        g.floatOutput(logits, "logits", "B", config.vocabSize());
        return g.toModel();
    }

    /** x · W (+ b when the architecture has biases). */
    private String linear(OnnxGraph g, String x, int layer, String weight, String bias) {
        String y = g.op("MatMul", x, g.weight(layer(layer, weight), weights.layerTensor(layer, weight)));
        String biasName = layer(layer, bias);
        return weights.contains(biasName) ? g.op("Add", y, g.weight(biasName, weights.get(biasName))) : y;
    }

    /** LayerNorm (gpt2) or RMSNorm (llama) over the last axis. */
    private String norm(OnnxGraph g, String x, String prefix) {
        String scale = g.weight(prefix + ".weight", weights.get(prefix + ".weight"));
        if (config.architecture() == Architecture.GPT2) {
            return g.opWith("LayerNormalization",
                    new String[] {x, scale, g.weight(prefix + ".bias", weights.get(prefix + ".bias"))},
                    Attribute.of("axis", -1L), Attribute.of("epsilon", config.normEps()));
        }
        // RMSNorm: x / sqrt(mean(x^2) + eps) * weight (opset 17 has no RMSNormalization op).
        // Pow(x, 2) rather than x * x: ONNX Runtime fuses this pattern into one SimplifiedLayerNormalization node.
        String meanSquare = g.opWith("ReduceMean", new String[] {g.op("Pow", x, g.scalar(2f))},
                Attribute.ints("axes", -1), Attribute.of("keepdims", 1L));                         // [T, 1]
        String rms = g.op("Sqrt", g.op("Add", meanSquare, g.scalar(config.normEps())));
        return g.op("Mul", g.op("Div", x, rms), scale);
    }

    private String mlp(OnnxGraph g, String x, int layer) {
        if (config.architecture() == Architecture.LLAMA) {
            String gate = g.op("MatMul", x, g.weight(layer(layer, "w_gate"), weights.layerTensor(layer, "w_gate"))); // [T, ffn]
            String up = g.op("MatMul", x, g.weight(layer(layer, "w_up"), weights.layerTensor(layer, "w_up")));       // [T, ffn]
            String silu = g.op("Mul", gate, g.op("Sigmoid", gate));
            return g.op("MatMul", g.op("Mul", silu, up), g.weight(layer(layer, "w_down"), weights.layerTensor(layer, "w_down")));
        }
        String hidden = gelu(g, linear(g, x, layer, "fc", "fc_bias"));                              // [T, ffn]
        return linear(g, hidden, layer, "proj", "proj_bias");                                        // [T, d]
    }

    /** GPT-2's tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    private static String gelu(OnnxGraph g, String x) {
        String cube = g.op("Mul", g.op("Mul", x, x), x);
        String inner = g.op("Mul", g.op("Add", x, g.op("Mul", cube, g.scalar(0.044715f))),
                g.scalar((float) Math.sqrt(2.0 / Math.PI)));
        String halfX = g.op("Mul", x, g.scalar(0.5f));
        return g.op("Mul", halfX, g.op("Add", g.op("Tanh", inner), g.scalar(1f)));
    }

    /**
     * cos and sin of position * frequency i (theta^(-2i/hd), rescaled as the config says), each frequency for both
     * components it turns (see {@link ModelConfig.RopeLayout}), shaped [T, 1, hd] to broadcast over heads.
     */
    private String[] ropeTables(OnnxGraph g, String positions) {
        int hd = config.headDim();
        double[] frequencies = config.ropeInverseFrequencies();                                       // [hd / 2]
        boolean interleaved = config.ropeLayout() == ModelConfig.RopeLayout.INTERLEAVED;
        float[] inverseFrequency = new float[hd];
        for (int i = 0; i < hd; i++) {
            inverseFrequency[i] = (float) frequencies[interleaved ? i / 2 : i % (hd / 2)];
        }
        String pos = g.op("Unsqueeze", g.opWith("Cast", new String[] {positions}, Attribute.of("to", 1L)), g.ints(1)); // [T, 1]
        String angles = g.op("Mul", pos, g.constant(inverseFrequency, 1, hd));                         // [T, hd]
        String shape = g.ints(-1, 1, hd);
        return new String[] {g.op("Reshape", g.op("Cos", angles), shape), g.op("Reshape", g.op("Sin", angles), shape)};
    }

    /**
     * Rotates the component pairs of every head: x cos + swap(x) sin, where swap(x) is a product with a constant
     * signed permutation. For the interleaved pairs (0,1), (2,3), ... of llama2.c, swap(x) = (-x1, x0, -x3, x2, ...);
     * for Hugging Face's halves, (i, i + hd/2), it is rotate_half(x) = (-x[hd/2..], x[..hd/2]). Four nodes instead
     * of a split into pairs and a concat back (ten): a graph this small costs per node. The same arithmetic as
     * rotating each pair: x0 cos - x1 sin is x0 cos + (-x1) sin, and swap(x) is exact.
     */
    private String rope(OnnxGraph g, String x, String[] cosSin) {
        int hd = config.headDim();
        boolean interleaved = config.ropeLayout() == ModelConfig.RopeLayout.INTERLEAVED;
        float[] swap = new float[hd * hd];                                                            // [hd, hd]
        for (int pair = 0; pair < hd / 2; pair++) {
            int first = interleaved ? 2 * pair : pair;
            int second = interleaved ? 2 * pair + 1 : pair + hd / 2;
            swap[first * hd + second] = 1f;     // out[second] = x[first]
            swap[second * hd + first] = -1f;    // out[first] = -x[second]
        }
        String swapped = g.op("MatMul", x, g.constant(swap, hd, hd));                                 // [T, H, hd]
        return g.op("Add", g.op("Mul", x, cosSin[0]), g.op("Mul", swapped, cosSin[1]));              // [T, H, hd]
    }

}
