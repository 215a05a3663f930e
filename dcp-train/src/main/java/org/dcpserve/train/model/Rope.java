package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelConfig.RopeLayout;

/**
 * Rotary position embedding of every head, as the engine's graphs compute it (TransformerBlocks.rope): component
 * pair i of the token at position t turns by t * f_i, with the frequencies f_i the config gives
 * ({@link ModelConfig#ropeInverseFrequencies}: theta^(-2i/hd), rescaled by rope_scaling), so the trainer and the
 * engine share one frequency computation. Which components form pair i is the config's {@link RopeLayout}:
 * (2i, 2i+1) for llama2.c, (i, i + hd/2) for Hugging Face's rotate_half.
 *
 * <p>Written as {@code x * cos + swap(x) * signedSin} with {@code swap(x)} exchanging the two members of each
 * pair: first' = x0 cos - x1 sin, second' = x1 cos + x0 sin, the same float operations as the graph. The angle
 * is computed in float32 like the graph's {@code Cast(position) * inverseFrequency}.
 */
final class Rope {

    private final int headDim;
    private final boolean interleaved;
    private final float[] inverseFrequency;     // [hd / 2]
    private final NDManager manager;
    /** Tables of the last few sequence lengths. */
    private final Map<Integer, Tables> tables = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Tables> eldest) {
            if (size() > 4) {
                eldest.getValue().cos().close();
                eldest.getValue().signedSin().close();
                return true;
            }
            return false;
        }
    };

    Rope(NDManager manager, ModelConfig config) {
        this.manager = manager;
        this.headDim = config.headDim();
        this.interleaved = config.ropeLayout() == RopeLayout.INTERLEAVED;
        double[] frequencies = config.ropeInverseFrequencies();
        this.inverseFrequency = new float[frequencies.length];
        for (int i = 0; i < frequencies.length; i++) {
            inverseFrequency[i] = (float) frequencies[i];
        }
    }

    /** cos and signed sin for positions 0..n-1, [n, hd], cached per length (constants, no gradient). */
    Tables tables(int n) {
        return tables.computeIfAbsent(n, length -> {
            int half = headDim / 2;
            float[] cos = new float[length * headDim];
            float[] sin = new float[length * headDim];
            for (int t = 0; t < length; t++) {
                for (int i = 0; i < half; i++) {
                    float angle = (float) t * inverseFrequency[i];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    int first = t * headDim + (interleaved ? 2 * i : i);
                    int second = t * headDim + (interleaved ? 2 * i + 1 : i + half);
                    cos[first] = c;
                    cos[second] = c;
                    sin[first] = -s;       // first'  = x0 cos + x1 (-sin)
                    sin[second] = s;       // second' = x1 cos + x0 sin
                }
            }
            return new Tables(Ops.owned(manager, cos, new Shape(length, headDim)),
                    Ops.owned(manager, sin, new Shape(length, headDim)));
        });
    }

    /** x [B, h, n, hd] -> rotated [B, h, n, hd] */
    NDArray apply(NDArray x, Tables t) {
        Shape s = x.getShape();
        // Interleaved pairs are adjacent: [.., hd/2, 2], swapped along the last axis. Halves: [.., 2, hd/2],
        // the two halves swapped.
        Shape pairs = interleaved ? new Shape(s.get(0), s.get(1), s.get(2), headDim / 2, 2)
                : new Shape(s.get(0), s.get(1), s.get(2), 2, headDim / 2);
        NDArray swapped = x.reshape(pairs).flip(interleaved ? 4 : 3).reshape(s);   // [B, h, n, hd]
        return x.mul(t.cos()).add(swapped.mul(t.signedSin()));                    // [B, h, n, hd]
    }

    /** @param cos [n, hd] @param signedSin [n, hd], -sin on the first and +sin on the second member of each pair */
    record Tables(NDArray cos, NDArray signedSin) {
    }
}
