package org.dcpserve.core.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Direct native-order float buffers: ONNX Runtime reads and writes them in place. */
final class DirectFloats {

    private DirectFloats() {
    }

    static FloatBuffer allocate(long count) {
        return ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Rows [from, from + count) of a buffer of rows {@code width} floats wide, as a zero-copy view. */
    static FloatBuffer rows(FloatBuffer buffer, int from, int count, int width) {
        return buffer.slice(from * width, count * width);
    }
}
