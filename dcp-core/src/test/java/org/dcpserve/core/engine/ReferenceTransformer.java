package org.dcpserve.core.engine;

import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * An independent plain-Java forward pass used as the oracle in tests: no cache, no ONNX, every
 * position recomputed from scratch in double precision, straight from the equations. An optional
 * additive mask {@code logKeep[layer][k][j]} (0 or -inf) is added to the attention scores of query k
 * over key j, as DCP's log I is.
 */
public final class ReferenceTransformer {

    private final ModelConfig c;
    private final ModelWeights w;
    /** After {@link #logits}: per layer, {@code <q_int[m], k_int[j]> / sqrt(r)} (without beta), when the model has gates. */
    private double[][][] interactionScores;

    public ReferenceTransformer(ModelConfig config, ModelWeights weights) {
        this.c = config;
        this.w = weights;
    }

    /** Logits [n][vocab] for every position of {@code tokens}. */
    public double[][] logits(int[] tokens) {
        return logits(tokens, null);
    }

    public double[][] logits(int[] tokens, double[][][] logKeep) {
        int n = tokens.length;
        int d = c.dModel();
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < d; e++) {
                x[i][e] = w.get(ModelWeights.TOK_EMBEDDINGS).data()[tokens[i] * d + e];
                if (c.architecture() == Architecture.GPT2) {
                    x[i][e] += w.get(ModelWeights.POS_EMBEDDINGS).data()[i * d + e];
                }
            }
        }
        interactionScores = new double[c.layers()][][];
        for (int l = 0; l < c.layers(); l++) {
            double[][] normed = norm(x, ModelWeights.layer(l, "attn_norm"));
            if (c.hasDcpGates()) {
                interactionScores[l] = interactionScores(l, normed);
            }
            double[][] attention = attention(l, normed, logKeep == null ? null : logKeep[l]);
            double[][] attnOut = linear(attention, ModelWeights.layer(l, "wo"), ModelWeights.layer(l, "bo"));
            add(x, attnOut);
            add(x, mlp(l, norm(x, ModelWeights.layer(l, "mlp_norm"))));
        }
        return linear(norm(x, ModelWeights.FINAL_NORM), ModelWeights.LM_HEAD, null);
    }

    private double[][] attention(int l, double[][] x, double[][] logKeep) {
        int n = x.length;
        int hd = c.headDim();
        double[][] q = linear(x, ModelWeights.layer(l, "wq"), ModelWeights.layer(l, "bq"));
        double[][] k = linear(x, ModelWeights.layer(l, "wk"), ModelWeights.layer(l, "bk"));
        double[][] v = linear(x, ModelWeights.layer(l, "wv"), ModelWeights.layer(l, "bv"));
        if (c.architecture() == Architecture.LLAMA) {
            rope(q, c.heads());
            rope(k, c.kvHeads());
        }
        double[][] out = new double[n][c.dModel()];
        for (int h = 0; h < c.heads(); h++) {
            int kvHead = h / c.groupSize();
            for (int i = 0; i < n; i++) {
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int e = 0; e < hd; e++) {
                        dot += q[i][h * hd + e] * k[j][kvHead * hd + e];
                    }
                    scores[j] = dot / Math.sqrt(hd) + (logKeep == null ? 0 : logKeep[i][j]);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < hd; e++) {
                        out[i][h * hd + e] += scores[j] / sum * v[j][kvHead * hd + e];
                    }
                }
            }
        }
        return out;
    }

    public double[][][] interactionScores() {
        return interactionScores;
    }

    private double[][] interactionScores(int l, double[][] x) {
        double[][] q = linear(x, ModelWeights.layer(l, "wq_int"), null);
        double[][] k = linear(x, ModelWeights.layer(l, "wk_int"), null);
        int r = c.dcp().rank();
        double[][] scores = new double[x.length][x.length];
        for (int m = 0; m < x.length; m++) {
            for (int j = 0; j < m; j++) {
                double dot = 0;
                for (int e = 0; e < r; e++) {
                    dot += q[m][e] * k[j][e];
                }
                scores[m][j] = dot / Math.sqrt(r);
            }
        }
        return scores;
    }

    /** Rotates interleaved pairs (2p, 2p+1) of every head by position * theta^(-2p/hd). */
    private void rope(double[][] x, int heads) {
        int hd = c.headDim();
        for (int pos = 0; pos < x.length; pos++) {
            for (int h = 0; h < heads; h++) {
                for (int p = 0; p < hd / 2; p++) {
                    double angle = pos * Math.pow(c.ropeTheta(), -2.0 * p / hd);
                    int i = h * hd + 2 * p;
                    double a = x[pos][i];
                    double b = x[pos][i + 1];
                    x[pos][i] = a * Math.cos(angle) - b * Math.sin(angle);
                    x[pos][i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
                }
            }
        }
    }

    private double[][] mlp(int l, double[][] x) {
        if (c.architecture() == Architecture.LLAMA) {
            double[][] gate = linear(x, ModelWeights.layer(l, "w_gate"), null);
            double[][] up = linear(x, ModelWeights.layer(l, "w_up"), null);
            for (int i = 0; i < gate.length; i++) {
                for (int e = 0; e < gate[i].length; e++) {
                    double g = gate[i][e];
                    gate[i][e] = g / (1 + Math.exp(-g)) * up[i][e];
                }
            }
            return linear(gate, ModelWeights.layer(l, "w_down"), null);
        }
        double[][] h = linear(x, ModelWeights.layer(l, "fc"), ModelWeights.layer(l, "fc_bias"));
        for (double[] row : h) {
            for (int e = 0; e < row.length; e++) {
                double u = row[e];
                row[e] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
            }
        }
        return linear(h, ModelWeights.layer(l, "proj"), ModelWeights.layer(l, "proj_bias"));
    }

    private double[][] norm(double[][] x, String prefix) {
        float[] scale = w.get(prefix + ".weight").data();
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double[] row = x[i];
            double mean = 0;
            if (c.architecture() == Architecture.GPT2) {
                for (double value : row) {
                    mean += value / row.length;
                }
            }
            double variance = 0;
            for (double value : row) {
                variance += (value - mean) * (value - mean) / row.length;
            }
            double inv = 1 / Math.sqrt(variance + c.normEps());
            out[i] = new double[row.length];
            for (int e = 0; e < row.length; e++) {
                out[i][e] = (row[e] - mean) * inv * scale[e];
                if (c.architecture() == Architecture.GPT2) {
                    out[i][e] += w.get(prefix + ".bias").data()[e];
                }
            }
        }
        return out;
    }

    /** x [n, in] · W [in, out] (+ b [out] if present in the weights). */
    private double[][] linear(double[][] x, String weight, String bias) {
        var matrix = w.get(weight);
        int in = matrix.dim(0);
        int outDim = matrix.dim(1);
        float[] b = bias != null && w.contains(bias) ? w.get(bias).data() : null;
        double[][] y = new double[x.length][outDim];
        for (int i = 0; i < x.length; i++) {
            for (int r = 0; r < in; r++) {
                double xr = x[i][r];
                for (int o = 0; o < outDim; o++) {
                    y[i][o] += xr * matrix.data()[r * outDim + o];
                }
            }
            if (b != null) {
                for (int o = 0; o < outDim; o++) {
                    y[i][o] += b[o];
                }
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] delta) {
        for (int i = 0; i < x.length; i++) {
            for (int e = 0; e < x[i].length; e++) {
                x[i][e] += delta[i][e];
            }
        }
    }
}
