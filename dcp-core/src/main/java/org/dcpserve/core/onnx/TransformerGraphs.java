package org.dcpserve.core.onnx;

import static org.dcpserve.core.model.ModelWeights.layer;
import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;

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
 *
 * <p>Graphs {@link #forSessions for sessions} declare their weights as external initializers (see
 * {@link OnnxGraph}).
 */
public final class TransformerGraphs {

    /** How far below its row's maximum an attention score may lie (see {@link #attention}). */
    static final float SCORE_FLOOR = 75f;

    private final ModelConfig config;
    private final WeightSource weights;
    private final TransformerBlocks blocks;
    private final boolean forSessions;

    /** Graphs that carry their weights, as a model package stores them. */
    public TransformerGraphs(ModelConfig config, WeightSource weights) {
        this(config, weights, false);
    }

    private TransformerGraphs(ModelConfig config, WeightSource weights, boolean forSessions) {
        this.config = config;
        this.weights = weights;
        this.blocks = new TransformerBlocks(config, weights);
        this.forSessions = forSessions;
    }

    /** Graphs whose weights are given to ONNX Runtime when it builds their sessions (see above). */
    public static TransformerGraphs forSessions(ModelConfig config, WeightSource weights) {
        return new TransformerGraphs(config, weights, true);
    }

    public ModelProto embedding() {
        OnnxGraph g = graph("embed");
        String ids = g.int64Input("token_ids", "T");
        String hidden = g.op("Gather", g.weight(ModelWeights.TOK_EMBEDDINGS, weights), ids);   // [T, d]
        if (config.architecture() == Architecture.GPT2) {
            String positions = g.int64Input("positions", "T");
            String pos = g.op("Gather", g.weight(ModelWeights.POS_EMBEDDINGS, weights), positions);
            hidden = g.op("Add", hidden, pos);                                           // [T, d]
        }
        g.floatOutput(hidden, "hidden", "T", config.dModel());
        return g.toModel();
    }

    public ModelProto projection(int layer) {
        OnnxGraph g = graph("layer_" + layer + "_proj");
        int hd = config.headDim();
        String x = g.floatInput("hidden", "T", config.dModel());
        String n = blocks.norm(g, x, layer(layer, "attn_norm"));                         // [T, d]
        String[] qkv = blocks.queryKeyValue(g, n, layer,
                () -> blocks.ropeTables(g, g.int64Input("positions", "T")));             // [T, H | Hkv, hd]
        String q = qkv[0];
        String k = qkv[1];
        String v = qkv[2];
        g.floatOutput(q, "q", "T", config.heads(), hd);
        g.floatOutput(k, "k", "T", config.kvHeads(), hd);
        g.floatOutput(v, "v", "T", config.kvHeads(), hd);
        if (config.hasDcpGates()) {
            int r = config.dcp().rank();
            g.floatOutput(g.op("MatMul", n, g.weight(layer(layer, "wq_int"), weights)), "q_int", "T", r);
            g.floatOutput(g.op("MatMul", n, g.weight(layer(layer, "wk_int"), weights)), "k_int", "T", r);
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
        OnnxGraph g = graph("layer_" + layer + "_out");
        String x = g.floatInput("hidden", "N", config.dModel());                                     // [N, d]
        String ctx = g.floatInput("context", "N", config.qDim());                                    // [N, H*hd]
        String attended = g.op("Add", x, blocks.linear(g, ctx, layer, "wo", "bo"));                  // [N, d]
        String normed = blocks.norm(g, attended, layer(layer, "mlp_norm"));                          // [N, d]
        String out = g.op("Add", attended, blocks.mlp(g, normed, layer));                            // [N, d]
        g.floatOutput(out, "hidden_out", "N", config.dModel());
        return g.toModel();
    }

    public ModelProto head() {
        OnnxGraph g = graph("head");
        String x = g.floatInput("hidden", "T", config.dModel());
        String n = blocks.norm(g, x, ModelWeights.FINAL_NORM);                             // [T, d]
        String logits = g.op("MatMul", n, g.weight(ModelWeights.LM_HEAD, weights));       // [T, d] x [d, vocab]
        g.floatOutput(logits, "logits", "T", config.vocabSize());
        return g.toModel();
    }

    private OnnxGraph graph(String name) {
        return forSessions ? OnnxGraph.withExternalWeights(name) : new OnnxGraph(name);
    }
}
