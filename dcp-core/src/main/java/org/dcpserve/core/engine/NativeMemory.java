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
 * Closing native staging memory hands them back ({@code malloc_trim}), graph by graph.
 *
 * <p>Below {@link #NATIVE_FROM} bytes this is an ordinary direct buffer and nothing is returned: a small model's
 * weights leave nothing worth trimming, and it starts without loading JNA's native library.
 */
final class NativeMemory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);

    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

    /** Staging of at least this many bytes is native memory, freed on close, and followed by a trim. */
    static final int NATIVE_FROM = 1 << 20;

    /** The native memory, or null for a small buffer that the garbage collector frees. */
    private final Memory memory;
    private final ByteBuffer buffer;

    private NativeMemory(int bytes) {
        this.memory = bytes >= NATIVE_FROM ? new Memory(bytes) : null;
        this.buffer = (memory != null ? memory.getByteBuffer(0, bytes) : ByteBuffer.allocateDirect(bytes))
                .order(ByteOrder.nativeOrder());
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

    /** Frees native memory and returns what ONNX Runtime freed meanwhile (see above); a small buffer is left to GC. */
    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            returnFreedPages();
        }
    }

    /** Best effort, glibc only: returns the pages of freed native blocks to the system. */
    private static void returnFreedPages() {
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
