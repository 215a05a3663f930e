package org.dcpserve.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Starts DJL's PyTorch engine the way this module needs it: CPU natives from the Maven Central jar,
 * nothing downloaded ({@code ai.djl.offline}), float32 only (DJL crashes the JVM on bfloat16 tensors,
 * so nothing here ever makes one) and a chosen number of intra-op threads.
 *
 * <p>OpenMP threads wait passively ({@code OMP_WAIT_POLICY=PASSIVE}, set in the process environment
 * before PyTorch's libgomp loads, unless the variable is already set): spinning threads stall badly
 * when another job takes a core. On the shared 2-core test machine, 40 steps of stories260K took
 * 15 s passive and 15 to 180 s spinning. With no competing job, spinning can be faster (one
 * measurement: 5.2 s spinning, 6.8 s passive): on a dedicated machine set OMP_WAIT_POLICY=ACTIVE.
 *
 * <p>On Linux it also tunes glibc's malloc (set {@code -Ddcp.train.mallopt=false} to skip): by default
 * every tensor above a dynamic threshold gets fresh pages from mmap and returns them on free, and the
 * heap top is trimmed back to the kernel, so a training step that allocates and frees gigabytes pays
 * page faults on all of it. Measured on stories260K (context 256, batch 8, 2 threads): 0.31 s/step
 * without, 0.20 s/step with, and no multi-second first steps.
 */
public final class DjlRuntime {

    private static volatile boolean started;

    /** mallopt parameters from glibc's malloc.h. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    /** The largest mmap threshold glibc accepts on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX). */
    private static final int MMAP_THRESHOLD = 32 << 20;

    private interface LibC extends Library {
        int mallopt(int param, int value);

        int setenv(String name, String value, int overwrite);
    }

    private DjlRuntime() {
    }

    /**
     * The PyTorch engine with {@code threads} intra-op threads (0 or less: all available processors).
     * The inter-op pool can only be sized before the engine's first use, so it is set only then.
     */
    public static synchronized Engine pytorch(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (!started) {
            tuneNativeRuntime();
            setIfAbsent("ai.djl.offline", "true");
            setIfAbsent("PYTORCH_FLAVOR", "cpu");
            setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(n));
            setIfAbsent("ai.djl.pytorch.num_interop_threads", Integer.toString(n));
        }
        Engine engine = Engine.getEngine("PyTorch");
        started = true;
        if (JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
        return engine;
    }

    /**
     * Best effort, Linux only: passive OpenMP waiting (unless OMP_WAIT_POLICY is set), and glibc
     * allocations up to 32 MB from the heap with freed heap memory kept for reuse.
     */
    private static void tuneNativeRuntime() {
        if (!Platform.isLinux()) {
            return;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            libc.setenv("OMP_WAIT_POLICY", "PASSIVE", 0);       // 0: an existing setting wins
            if (Boolean.parseBoolean(System.getProperty("dcp.train.mallopt", "true"))) {
                libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
                libc.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE);
            }
        } catch (LinkageError | RuntimeException e) {
            // not glibc (e.g. musl): keep the defaults, only speed is at stake
        }
    }

    /** Intra-op threads PyTorch uses now. */
    public static int threads() {
        return JniUtils.getNumThreads();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }
}
