package org.dcpserve.core.onnx;

import static org.dcpserve.core.model.ModelWeights.layer;
import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import java.util.function.Supplier;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.WeightSource;

/**
 * The parts a decoder layer is computed from (linear maps, the norm, the MLP, rotary embeddings), written
 * into a given graph with one model's weights. {@link TransformerGraphs} cuts the model where the engine
 * needs Java between them; a graph cut elsewhere (the benchmark's monolithic decode graph) is built from the
 * same parts, so both compute a layer the same way.
 */
public final class TransformerBlocks {

    private final ModelConfig config;
    private final WeightSource weights;

    public TransformerBlocks(ModelConfig config, WeightSource weights) {
        this.config = config;
        this.weights = weights;
    }

    /** x · W (+ b when the architecture has biases). */
    public String linear(OnnxGraph g, String x, int layer, String weight, String bias) {
        String y = g.op("MatMul", x, g.weight(layer(layer, weight), weights));
        String biasName = layer(layer, bias);
        return weights.contains(biasName) ? g.op("Add", y, g.weight(biasName, weights)) : y;
    }

    /**
     * The new rows' queries, keys and values from their normed input n [T, d]: q [T, H, hd], k and v [T, Hkv, hd],
     * with Qwen3's per-head norms and, for llama, rotated by the tables {@code rotation} gives (asked for only
     * then, after the projections, so a graph that declares its positions input there keeps its node order).
     */
    public String[] queryKeyValue(OnnxGraph g, String n, int layer, Supplier<String[]> rotation) {
        int hd = config.headDim();
        String q = g.op("Reshape", linear(g, n, layer, "wq", "bq"), g.ints(-1, config.heads(), hd));   // [T, H, hd]
        String k = g.op("Reshape", linear(g, n, layer, "wk", "bk"), g.ints(-1, config.kvHeads(), hd)); // [T, Hkv, hd]
        String v = g.op("Reshape", linear(g, n, layer, "wv", "bv"), g.ints(-1, config.kvHeads(), hd)); // [T, Hkv, hd]
        if (config.qkNorm()) {
            // Qwen3: an RMSNorm over each head's own hd components, before the rotation.
            q = norm(g, q, layer(layer, "q_norm"));                                                  // [T, H, hd]
            k = norm(g, k, layer(layer, "k_norm"));                                                  // [T, Hkv, hd]
        }
        if (config.architecture() == Architecture.LLAMA) {
            String[] cosSin = rotation.get();
            q = rope(g, q, cosSin);
            k = rope(g, k, cosSin);
        }
        return new String[] {q, k, v};
    }

    /** LayerNorm (gpt2) or RMSNorm (llama) over the last axis. */
    public String norm(OnnxGraph g, String x, String prefix) {
        String scale = g.weight(prefix + ".weight", weights);
        if (config.architecture() == Architecture.GPT2) {
            return g.opWith("LayerNormalization",
                    new String[] {x, scale, g.weight(prefix + ".bias", weights)},
                    Attribute.of("axis", -1L), Attribute.of("epsilon", config.normEps()));
        }
        // RMSNorm: x / sqrt(mean(x^2) + eps) * weight (opset 17 has no RMSNormalization op).
        // Pow(x, 2) rather than x * x: ONNX Runtime fuses this pattern into one SimplifiedLayerNormalization node.
        String meanSquare = g.opWith("ReduceMean", new String[] {g.op("Pow", x, g.scalar(2f))},
                Attribute.ints("axes", -1), Attribute.of("keepdims", 1L));                         // [T, 1]
        String rms = g.op("Sqrt", g.op("Add", meanSquare, g.scalar(config.normEps())));
        return g.op("Mul", g.op("Div", x, rms), scale);
    }

    /** The MLP of a layer: SwiGLU (llama) or GELU between two linear maps (gpt2). */
    public String mlp(OnnxGraph g, String x, int layer) {
        if (config.architecture() == Architecture.LLAMA) {
            String gate = g.op("MatMul", x, g.weight(layer(layer, "w_gate"), weights));  // [T, ffn]
            String up = g.op("MatMul", x, g.weight(layer(layer, "w_up"), weights));      // [T, ffn]
            String silu = g.op("Mul", gate, g.op("Sigmoid", gate));
            return g.op("MatMul", g.op("Mul", silu, up), g.weight(layer(layer, "w_down"), weights));
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
    public String[] ropeTables(OnnxGraph g, String positions) {
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
    public String rope(OnnxGraph g, String x, String[] cosSin) {
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
