package org.dcpserve.core.model;

import java.nio.FloatBuffer;

/**
 * Canonical weights (names and layout: {@link ModelWeights}) wherever they are kept: in memory, or in a checkpoint's
 * files, read when a graph or session needs them so that no full float32 copy of a model is held in Java.
 */
public interface WeightSource {

    boolean contains(String name);

    /** The canonical shape of a tensor; throws {@link IllegalArgumentException} naming it when it is missing. */
    int[] shape(String name);

    /** A tensor's values, row-major, into {@code out[0, size)} (absolute puts; the buffer's position is ignored). */
    void read(String name, FloatBuffer out);

    /**
     * Whether the head is the token embedding table itself ({@code lm_head} = {@code tok_embeddings} transposed), so
     * graphs can read one table for both instead of two copies of it. Sources that cannot tell say no.
     */
    default boolean tiedHead() {
        return false;
    }

    /** A tensor as a Java array (for graphs that carry their weights inside them). */
    default FloatTensor tensor(String name) {
        float[] data = new float[Math.toIntExact(size(name))];
        read(name, FloatBuffer.wrap(data));
        return new FloatTensor(data, shape(name));
    }

    /** Number of values of a tensor. */
    default long size(String name) {
        long size = 1;
        for (int dim : shape(name)) {
            size *= dim;
        }
        return size;
    }
}
