package org.dcpserve.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine the way this module needs it: CPU natives from the Maven Central jar,
 * nothing downloaded ({@code ai.djl.offline}), float32 only (DJL crashes the JVM on bfloat16 tensors,
 * so nothing here ever makes one) and a chosen number of intra-op threads.
 */
public final class DjlRuntime {

    private static volatile boolean started;

    private DjlRuntime() {
    }

    /**
     * The PyTorch engine with {@code threads} intra-op threads (0 or less: all available processors).
     * The inter-op pool can only be sized before the engine's first use, so it is set only then.
     */
    public static synchronized Engine pytorch(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (!started) {
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

    /** Intra-op threads PyTorch uses now. */
    public static int threads() {
        return JniUtils.getNumThreads();
    }

    /** Keeps DJL's start-up chatter (engine banner, "no GPU" warning) out of the command-line output. */
    public static void quietLogging() {
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }
}
