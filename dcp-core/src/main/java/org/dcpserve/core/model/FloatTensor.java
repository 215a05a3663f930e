package org.dcpserve.core.model;

import java.util.Arrays;

/**
 * A dense row-major float32 tensor: the unit in which weights travel between importers, the graph
 * builder and the trainer.
 */
public record FloatTensor(float[] data, int... shape) {

    public FloatTensor {
        long size = 1;
        for (int dim : shape) {
            size *= dim;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
    }

    public static FloatTensor zeros(int... shape) {
        return new FloatTensor(new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)], shape);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** The transpose of a matrix: [rows, cols] to [cols, rows]. */
    public FloatTensor transpose() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose needs a matrix, shape is " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatTensor(out, cols, rows);
    }

    /** Columns [from, to) of a matrix. */
    public FloatTensor columns(int from, int to) {
        int rows = shape[0];
        int cols = shape[1];
        int width = to - from;
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(data, r * cols + from, out, r * width, width);
        }
        return new FloatTensor(out, rows, width);
    }

    /** Elements [from, to) of a vector. */
    public FloatTensor slice(int from, int to) {
        return new FloatTensor(Arrays.copyOfRange(data, from, to), to - from);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FloatTensor that
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
