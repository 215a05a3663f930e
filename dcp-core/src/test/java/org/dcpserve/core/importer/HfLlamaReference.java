package org.dcpserve.core.importer;

import java.util.Map;
import org.dcpserve.core.model.FloatTensor;

/**
 * A forward pass of a Hugging Face Llama-family model written from {@code transformers}' equations
 * ({@code modeling_llama.py}, {@code modeling_qwen2.py}, {@code modeling_qwen3.py}), in double precision, on
 * the checkpoint's own tensors ({@code nn.Linear} weights {@code [out, in]}), sharing no code with the engine.
 *
 * <pre>
 * h = embed_tokens[ids]
 * per layer:  x = RMSNorm(h) · input_layernorm
 *             q, k, v = x W^T (+ b, Qwen2);  Qwen3: q, k = RMSNorm per head · q_norm, k_norm
 *             q, k = q cos + rotate_half(q) sin          (cos = cat(cos(pos·inv_freq), same), rotate_half(x) = cat(-x2, x1))
 *             a = softmax(q k^T / sqrt(hd) + causal + log I) v   (query head i reads key/value head i / (H / Hkv))
 *             h = h + a W_o^T;  h = h + down(silu(gate(x')) * up(x')),  x' = RMSNorm(h) · post_attention_layernorm
 * logits = RMSNorm(h) · norm  W_lm^T                     (W_lm = embed_tokens when tied)
 * </pre>
 */
public final class HfLlamaReference {

    private final HfLlamaCheckpointWriter.Spec spec;
    private final Map<String, FloatTensor> tensors;
    private final double[] inverseFrequency;

    public HfLlamaReference(HfLlamaCheckpointWriter.Spec spec, Map<String, FloatTensor> tensors) {
        this.spec = spec;
        this.tensors = tensors;
        this.inverseFrequency = inverseFrequency(spec);
    }

    /**
     * RoPE frequencies as {@code _compute_default_rope_parameters}, {@code _compute_linear_scaling_rope_parameters}
     * and {@code _compute_llama3_parameters} compute them, vectorised there and element by element here.
     */
    static double[] inverseFrequency(HfLlamaCheckpointWriter.Spec spec) {
        int dim = spec.hd();
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(spec.ropeTheta(), (2.0 * i) / dim);
        }
        Map<String, Object> scaling = spec.ropeScaling();
        if (scaling == null) {
            return inv;
        }
        String type = (String) scaling.getOrDefault("rope_type", scaling.get("type"));
        double factor = ((Number) scaling.get("factor")).doubleValue();
        for (int i = 0; i < inv.length; i++) {
            if (type.equals("linear")) {
                inv[i] /= factor;
                continue;
            }
            double low = ((Number) scaling.get("low_freq_factor")).doubleValue();
            double high = ((Number) scaling.get("high_freq_factor")).doubleValue();
            double oldContext = ((Number) scaling.get("original_max_position_embeddings")).doubleValue();
            double wavelen = 2 * Math.PI / inv[i];
            // inv_freq_llama = where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
            double llama = wavelen > oldContext / low ? inv[i] / factor : inv[i];
            double smoothFactor = (oldContext / wavelen - low) / (high - low);
            double smoothed = (1 - smoothFactor) * llama / factor + smoothFactor * llama;
            boolean medium = !(wavelen < oldContext / high) && !(wavelen > oldContext / low);
            inv[i] = medium ? smoothed : llama;
        }
        return inv;
    }

    /** Logits [position][vocab] for every position of {@code ids}. */
    public double[][] logits(int[] ids) {
        return logits(ids, null);
    }

    /**
     * Logits with an additive attention mask per layer on top of the causal one ({@code logKeep[layer][k][j]},
     * 0 or -inf: log I of the pruning method), or none when null.
     */
    public double[][] logits(int[] ids, double[][][] logKeep) {
        int n = ids.length;
        int d = spec.hidden();
        double[][] h = new double[n][];
        FloatTensor embed = tensors.get("model.embed_tokens.weight");
        for (int t = 0; t < n; t++) {
            h[t] = row(embed, ids[t]);
        }
        for (int layer = 0; layer < spec.layers(); layer++) {
            String p = "model.layers." + layer + ".";
            double[][] attention = attention(p, rmsNorm(h, weight(p + "input_layernorm.weight")),
                    logKeep == null ? null : logKeep[layer]);
            for (int t = 0; t < n; t++) {
                double[] o = linear(attention[t], p + "self_attn.o_proj.weight", null);
                for (int i = 0; i < d; i++) {
                    h[t][i] += o[i];
                }
            }
            double[][] x = rmsNorm(h, weight(p + "post_attention_layernorm.weight"));
            for (int t = 0; t < n; t++) {
                double[] gate = linear(x[t], p + "mlp.gate_proj.weight", null);
                double[] up = linear(x[t], p + "mlp.up_proj.weight", null);
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];       // silu(gate) * up
                }
                double[] down = linear(gate, p + "mlp.down_proj.weight", null);
                for (int i = 0; i < d; i++) {
                    h[t][i] += down[i];
                }
            }
        }
        double[][] x = rmsNorm(h, weight("model.norm.weight"));
        String head = spec.tied() ? "model.embed_tokens.weight" : "lm_head.weight";
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = linear(x[t], head, null);
        }
        return logits;
    }

    /** Self-attention of all positions, before o_proj: [n][heads * hd]. */
    private double[][] attention(String p, double[][] x, double[][] logKeep) {
        int n = x.length;
        int hd = spec.hd();
        int heads = spec.heads();
        int group = heads / spec.kvHeads();
        String bias = spec.qkvBias() ? ".bias" : null;
        double[][][] q = new double[n][][];
        double[][][] k = new double[n][][];
        double[][][] v = new double[n][][];
        for (int t = 0; t < n; t++) {
            q[t] = split(linear(x[t], p + "self_attn.q_proj.weight", bias == null ? null : p + "self_attn.q_proj.bias"), hd);
            k[t] = split(linear(x[t], p + "self_attn.k_proj.weight", bias == null ? null : p + "self_attn.k_proj.bias"), hd);
            v[t] = split(linear(x[t], p + "self_attn.v_proj.weight", bias == null ? null : p + "self_attn.v_proj.bias"), hd);
            if (spec.qkNorm()) {
                q[t] = rmsNorm(q[t], weight(p + "self_attn.q_norm.weight"));
                k[t] = rmsNorm(k[t], weight(p + "self_attn.k_norm.weight"));
            }
            for (double[] head : q[t]) {
                rotate(head, t);
            }
            for (double[] head : k[t]) {
                rotate(head, t);
            }
        }
        double[][] out = new double[n][heads * hd];
        double scale = 1 / Math.sqrt(hd);
        for (int t = 0; t < n; t++) {
            for (int head = 0; head < heads; head++) {
                int kvHead = head / group;
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    scores[j] = dot(q[t][head], k[j][kvHead]) * scale + (logKeep == null ? 0 : logKeep[t][j]);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < hd; i++) {
                        out[t][head * hd + i] += scores[j] / sum * v[j][kvHead][i];
                    }
                }
            }
        }
        return out;
    }

    /** apply_rotary_pos_emb for one head at {@code position}: x cos + rotate_half(x) sin. */
    private void rotate(double[] x, int position) {
        int half = x.length / 2;
        double[] rotated = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double angle = position * inverseFrequency[i % half];                 // emb = cat(freqs, freqs)
            double rotateHalf = i < half ? -x[i + half] : x[i - half];
            rotated[i] = x[i] * Math.cos(angle) + rotateHalf * Math.sin(angle);
        }
        System.arraycopy(rotated, 0, x, 0, x.length);
    }

    /** LlamaRMSNorm: weight * x / sqrt(mean(x^2) + eps), row by row. */
    private double[][] rmsNorm(double[][] rows, double[] weight) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            double meanSquare = 0;
            for (double value : rows[r]) {
                meanSquare += value * value / rows[r].length;
            }
            double inverse = 1 / Math.sqrt(meanSquare + spec.rmsNormEps());
            out[r] = new double[rows[r].length];
            for (int i = 0; i < rows[r].length; i++) {
                out[r][i] = weight[i] * rows[r][i] * inverse;
            }
        }
        return out;
    }

    /** nn.Linear: y = W x (+ b), W [out, in]. */
    private double[] linear(double[] x, String weight, String bias) {
        FloatTensor w = tensors.get(weight);
        int out = w.dim(0);
        int in = w.dim(1);
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double sum = bias == null ? 0 : tensors.get(bias).data()[o];
            for (int i = 0; i < in; i++) {
                sum += w.data()[o * in + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    private double[] weight(String name) {
        return row(tensors.get(name), 0);
    }

    /** Row {@code r} of a matrix (or the whole vector), widened. */
    private static double[] row(FloatTensor tensor, int r) {
        int width = tensor.rank() == 1 ? tensor.dim(0) : tensor.dim(1);
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = tensor.data()[r * width + i];
        }
        return out;
    }

    private static double[][] split(double[] flat, int width) {
        double[][] out = new double[flat.length / width][width];
        for (int i = 0; i < flat.length; i++) {
            out[i / width][i % width] = flat[i];
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
