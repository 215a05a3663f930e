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

    /** Rows {@code rows} of a matrix [n, cols], in that order, into {@code out[0, rows.length * cols)}. */
    void readRows(String name, long[] rows, FloatBuffer out);

    /**
     * Whether the head is the token embedding table itself ({@code lm_head} = {@code tok_embeddings} transposed) and
     * this source reads rows from where it keeps them (a checkpoint's files) without holding the table: then the
     * engine looks the embedding up here and only the head's copy of the table is held. Sources that cannot tell,
     * or hold their tensors in memory anyway, say no.
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
