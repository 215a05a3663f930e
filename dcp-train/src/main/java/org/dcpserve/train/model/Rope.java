package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rotary position embedding on interleaved pairs (0,1), (2,3), ... of every head, as llama2.c and
 * the engine's graphs do: pair i of the token at position t turns by t * theta^(-2i/hd).
 *
 * <p>Written as {@code x * cos + swap(x) * signedSin} with {@code swap(x)} exchanging the two
 * members of each pair: even' = x0 cos - x1 sin, odd' = x1 cos + x0 sin, the same float operations
 * as the graph's split/rotate/concat. The angle is computed in float32 like the graph's
 * {@code Cast(position) * inverseFrequency}.
 */
final class Rope {

    private final int headDim;
    private final float[] inverseFrequency;
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

    Rope(NDManager manager, int headDim, float theta) {
        this.manager = manager;
        this.headDim = headDim;
        this.inverseFrequency = new float[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) {
            inverseFrequency[i] = (float) (1.0 / Math.pow(theta, 2.0 * i / headDim));
        }
    }

    /** cos and signed sin for positions 0..n-1, [n, hd], cached per length (constants, no gradient). */
    Tables tables(int n) {
        return tables.computeIfAbsent(n, length -> {
            float[] cos = new float[length * headDim];
            float[] sin = new float[length * headDim];
            for (int t = 0; t < length; t++) {
                for (int i = 0; i < headDim / 2; i++) {
                    float angle = (float) t * inverseFrequency[i];
                    float c = (float) Math.cos(angle);
                    float s = (float) Math.sin(angle);
                    cos[t * headDim + 2 * i] = c;
                    cos[t * headDim + 2 * i + 1] = c;
                    sin[t * headDim + 2 * i] = -s;      // even' = x0 cos + x1 (-sin)
                    sin[t * headDim + 2 * i + 1] = s;   // odd'  = x1 cos + x0 sin
                }
            }
            return new Tables(Ops.owned(manager, cos, new Shape(length, headDim)),
                    Ops.owned(manager, sin, new Shape(length, headDim)));
        });
    }

    /** x [B, h, n, hd] -> rotated [B, h, n, hd] */
    NDArray apply(NDArray x, Tables t) {
        Shape s = x.getShape();
        NDArray swapped = x.reshape(s.get(0), s.get(1), s.get(2), headDim / 2, 2)  // [B, h, n, hd/2, 2]
                .flip(4)                                                             // (x1, x0) per pair
                .reshape(s);                                                         // [B, h, n, hd]
        return x.mul(t.cos()).add(swapped.mul(t.signedSin()));                      // [B, h, n, hd]
    }

    /** @param cos [n, hd] @param signedSin [n, hd], -sin on even and +sin on odd members of each pair */
    record Tables(NDArray cos, NDArray signedSin) {
    }
}
