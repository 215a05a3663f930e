package org.dcpserve.core.engine;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Native memory for weights on their way into ONNX Runtime, freed when it is closed rather than when the garbage
 * collector gets to a direct buffer (which may be never, in a service whose heap is quiet), and outside the JVM's
 * direct-memory limit.
 *
 * <p>Building sessions allocates and frees gigabytes in ONNX Runtime too (a copy of each weight, then its packed
 * form). glibc keeps freed blocks below its mmap threshold for reuse, and that threshold rises to 32 MB as large
 * blocks are freed, so those copies stayed resident: Qwen2.5-0.5B's shape held 3.06 GB for 1.98 GB of weights.
 * {@link #returnFreedPages} hands them back ({@code malloc_trim}) once a model is loaded.
 */
final class NativeMemory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);

    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

    private final Memory memory;
    private final ByteBuffer buffer;

    private NativeMemory(int bytes) {
        this.memory = new Memory(Math.max(bytes, 1));
        this.buffer = memory.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    /** {@code bytes} of native memory, uninitialized; at most 2 GiB, the most one Java buffer addresses. */
    static NativeMemory allocate(long bytes, String what) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weights of " + bytes + " bytes (" + what
                    + ") do not fit one Java buffer of at most 2 GiB");
        }
        return new NativeMemory((int) bytes);
    }

    /** The memory as a direct buffer; not to be used once this is closed. */
    ByteBuffer buffer() {
        return buffer;
    }

    int capacity() {
        return buffer.capacity();
    }

    @Override
    public void close() {
        memory.close();
    }

    /** Best effort, glibc only: returns the pages of freed native blocks to the system. */
    static void returnFreedPages() {
        if (!Platform.isLinux()) {
            return;
        }
        try {
            Native.load("c", LibC.class).malloc_trim(0);
        } catch (LinkageError | RuntimeException e) {
            log.debug("malloc_trim is not available (not glibc?); freed native memory stays with the allocator", e);
        }
    }
}
