package org.dcpserve.bench;

import static org.dcpserve.core.model.ModelWeights.layer;
import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.OnnxGraph;
import org.dcpserve.core.onnx.TransformerBlocks;

/**
 * For comparison only (dcp bench-grid --monolithic): the whole dense model as one graph for a decode step of
 * B sequences of equal length, the KV cache as inputs and outputs, the way exported decoder graphs usually
 * carry it. No pruning is possible inside it: Java never sees the cache between layers. Its layers are built
 * from the same {@link TransformerBlocks} as the engine's split graphs.
 *
 * <pre>
 * token_ids, positions [B]; past_k_L, past_v_L [B, Hkv, P, hd] -> logits [B, vocab];
 *                                                                 present_k_L, present_v_L [B, Hkv, P + 1, hd]
 * </pre>
 */
final class MonolithicDecodeGraph {

    private MonolithicDecodeGraph() {
    }

    static ModelProto build(ModelConfig config, ModelWeights weights) {
        TransformerBlocks blocks = new TransformerBlocks(config, weights);
        OnnxGraph g = new OnnxGraph("decode");
        int hkv = config.kvHeads();
        int hd = config.headDim();
        String ids = g.int64Input("token_ids", "B");
        String positions = g.int64Input("positions", "B");
        String x = g.op("Gather", g.weight(ModelWeights.TOK_EMBEDDINGS, weights.get(ModelWeights.TOK_EMBEDDINGS)), ids);
        if (config.architecture() == Architecture.GPT2) {
            x = g.op("Add", x, g.op("Gather",
                    g.weight(ModelWeights.POS_EMBEDDINGS, weights.get(ModelWeights.POS_EMBEDDINGS)), positions)); // [B, d]
        }
        String[] cosSin = config.architecture() == Architecture.LLAMA ? blocks.ropeTables(g, positions) : null;
        for (int layer = 0; layer < config.layers(); layer++) {
            String n = blocks.norm(g, x, layer(layer, "attn_norm"));                                   // [B, d]
            String[] qkv = blocks.queryKeyValue(g, n, layer, () -> cosSin);                           // [B, H | Hkv, hd]
            String q = qkv[0];
            String k = qkv[1];
            String v = qkv[2];
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
            String ctx = g.op("Reshape", g.op("MatMul", probs, values), g.ints(-1, config.qDim()));      // [B, H*hd]
            String attended = g.op("Add", x, blocks.linear(g, ctx, layer, "wo", "bo"));
            String normed = blocks.norm(g, attended, layer(layer, "mlp_norm"));
            x = g.op("Add", attended, blocks.mlp(g, normed, layer));                                     // [B, d]
        }
        String logits = g.op("MatMul", blocks.norm(g, x, ModelWeights.FINAL_NORM),
                g.weight(ModelWeights.LM_HEAD, weights.get(ModelWeights.LM_HEAD)));
        g.floatOutput(logits, "logits", "B", config.vocabSize());
        return g.toModel();
    }
}
