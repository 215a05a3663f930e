package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with constants, and tensors made from Java data, that are safe under autograd.
 *
 * <p>Why this exists: DJL's {@code x.mul(2f)} (likewise div, maximum, ... with a Number) wraps the
 * number in a temporary tensor whose memory is a Java direct ByteBuffer ({@code torch::from_blob}),
 * runs the op and closes the temporary. PyTorch's autograd node keeps that tensor for the backward
 * pass, but nothing on the Java side keeps the buffer: once the garbage collector frees it, the
 * backward pass reads freed memory and the gradients come out wrong or NaN, depending on GC timing.
 * The same holds for any tensor created from a Java array. Here constants are made by PyTorch
 * ({@code torch::full}) and Java data is copied into PyTorch-owned memory, so the autograd graph
 * owns everything it saves.
 */
public final class Ops {

    private Ops() {
    }

    /** A 0-d constant in {@code like}'s manager, memory owned by PyTorch. */
    public static NDArray constant(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value);
    }

    /** x * c */
    public static NDArray times(NDArray x, double c) {
        return x.mul(constant(x, c));
    }

    /** x / c */
    public static NDArray dividedBy(NDArray x, double c) {
        return x.div(constant(x, c));
    }

    /** x + c */
    public static NDArray plus(NDArray x, double c) {
        return x.add(constant(x, c));
    }

    /** max(x, floor), element-wise */
    public static NDArray atLeast(NDArray x, double floor) {
        return x.maximum(constant(x, floor));
    }

    /** A float32 tensor holding a copy of {@code data} in PyTorch-owned memory. */
    public static NDArray owned(NDManager manager, float[] data, Shape shape) {
        try (NDArray blob = manager.create(data, shape)) {
            return blob.duplicate();
        }
    }

    /** An int64 tensor holding a copy of {@code data} in PyTorch-owned memory. */
    public static NDArray owned(NDManager manager, long[] data, Shape shape) {
        try (NDArray blob = manager.create(data, shape)) {
            return blob.duplicate();
        }
    }
}
