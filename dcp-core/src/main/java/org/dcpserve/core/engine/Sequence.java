package org.dcpserve.core.engine;

import java.util.Arrays;
import org.dcpserve.core.model.ModelConfig;

/**
 * One sequence being generated: its per-layer KV caches and the forward pass that feeds new tokens
 * through the sub-graphs. Not thread-safe; a sequence belongs to one request.
 */
public final class Sequence {

    private static final float BLOCKED = Float.NEGATIVE_INFINITY;

    private final OnnxTransformer model;
    private final ModelConfig config;
    private final LayerKvCache[] caches;
    private int length;

    public Sequence(OnnxTransformer model) {
        this.model = model;
        this.config = model.config();
        this.caches = new LayerKvCache[config.layers()];
        for (int layer = 0; layer < caches.length; layer++) {
            caches[layer] = new LayerKvCache(config.kvDim());
        }
    }

    /** Tokens fed so far (prompt and generated). */
    public int length() {
        return length;
    }

    public LayerKvCache cache(int layer) {
        return caches[layer];
    }

    /** Feeds new tokens and returns the logits of the last one: [vocab]. */
    public float[] forward(int... tokens) {
        float[] hidden = run(tokens);
        return model.logits(Arrays.copyOfRange(hidden, hidden.length - config.dModel(), hidden.length));
    }

    /** Feeds new tokens and returns the logits of every one of them: [T, vocab]. */
    public float[] forwardAll(int... tokens) {
        return model.logits(run(tokens));
    }

    private float[] run(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to feed");
        }
        if (length + tokens.length > config.contextLength()) {
            throw new ContextLengthExceededException(length + tokens.length, config.contextLength());
        }
        long[] ids = new long[tokens.length];
        long[] positions = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            positions[i] = length + i;
        }
        float[] hidden = model.embed(ids, positions);                                 // [T, d]
        for (int layer = 0; layer < caches.length; layer++) {
            OnnxTransformer.Projection projection = model.project(layer, hidden, positions);
            LayerKvCache cache = caches[layer];
            for (int i = 0; i < tokens.length; i++) {
                cache.append(projection.k(), projection.v(), i * config.kvDim(), (int) positions[i]);
            }
            hidden = model.attend(layer, hidden, projection.q(), cache, causalMask(cache, positions)); // [T, d]
        }
        length += tokens.length;
        return hidden;
    }

    /** mask[t, s] = 0 when slot s holds a token at or before the t-th new token's position, else -inf. */
    private static float[] causalMask(LayerKvCache cache, long[] positions) {
        int slots = cache.slotCount();
        float[] mask = new float[positions.length * slots];
        for (int t = 0; t < positions.length; t++) {
            for (int s = 0; s < slots; s++) {
                int position = cache.positionAt(s);
                mask[t * slots + s] = position >= 0 && position <= positions[t] ? 0f : BLOCKED;
            }
        }
        return mask;
    }
}
