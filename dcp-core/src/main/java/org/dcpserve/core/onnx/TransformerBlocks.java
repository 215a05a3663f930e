package org.dcpserve.core.onnx;

import static org.dcpserve.core.model.ModelWeights.layer;
import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * The parts a decoder layer is computed from (linear maps, the norm, the MLP, rotary embeddings), written
 * into a given graph with one model's weights. {@link TransformerGraphs} cuts the model where the engine
 * needs Java between them; a graph cut elsewhere (the benchmark's monolithic decode graph) is built from the
 * same parts, so both compute a layer the same way.
 */
public final class TransformerBlocks {

    private final ModelConfig config;
    private final ModelWeights weights;

    public TransformerBlocks(ModelConfig config, ModelWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    /** x · W (+ b when the architecture has biases). */
    public String linear(OnnxGraph g, String x, int layer, String weight, String bias) {
        String y = g.op("MatMul", x, g.weight(layer(layer, weight), weights.layerTensor(layer, weight)));
        String biasName = layer(layer, bias);
        return weights.contains(biasName) ? g.op("Add", y, g.weight(biasName, weights.get(biasName))) : y;
    }

    /** LayerNorm (gpt2) or RMSNorm (llama) over the last axis. */
    public String norm(OnnxGraph g, String x, String prefix) {
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

    /** The MLP of a layer: SwiGLU (llama) or GELU between two linear maps (gpt2). */
    public String mlp(OnnxGraph g, String x, int layer) {
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
     * cos and sin of position * theta^(-2i/hd), each frequency twice (for both members of its pair), shaped
     * [T, 1, hd] to broadcast over heads.
     */
    public String[] ropeTables(OnnxGraph g, String positions) {
        int hd = config.headDim();
        float[] inverseFrequency = new float[hd];
        for (int i = 0; i < hd; i++) {
            inverseFrequency[i] = (float) (1.0 / Math.pow(config.ropeTheta(), 2.0 * (i / 2) / hd));
        }
        String pos = g.op("Unsqueeze", g.opWith("Cast", new String[] {positions}, Attribute.of("to", 1L)), g.ints(1)); // [T, 1]
        String angles = g.op("Mul", pos, g.constant(inverseFrequency, 1, hd));                         // [T, hd]
        String shape = g.ints(-1, 1, hd);
        return new String[] {g.op("Reshape", g.op("Cos", angles), shape), g.op("Reshape", g.op("Sin", angles), shape)};
    }

    /**
     * Rotates the interleaved pairs (0,1), (2,3), ... of every head, as llama2.c does: x cos + swap(x) sin, where
     * swap(x) = (-x1, x0, -x3, x2, ...) is a product with a constant signed permutation. Four nodes instead of a
     * split into pairs and a concat back (ten): a graph this small costs per node. The same arithmetic as
     * rotating each pair: x0 cos - x1 sin is x0 cos + (-x1) sin, and swap(x) is exact.
     */
    public String rope(OnnxGraph g, String x, String[] cosSin) {
        int hd = config.headDim();
        float[] swap = new float[hd * hd];                                                            // [hd, hd]
        for (int i = 0; i < hd; i += 2) {
            swap[i * hd + i + 1] = 1f;          // out[i + 1] = x[i]
            swap[(i + 1) * hd + i] = -1f;       // out[i] = -x[i + 1]
        }
        String swapped = g.op("MatMul", x, g.constant(swap, hd, hd));                                 // [T, H, hd]
        return g.op("Add", g.op("Mul", x, cosSin[0]), g.op("Mul", swapped, cosSin[1]));              // [T, H, hd]
    }
}
