package org.dcpserve.core.engine;

/**
 * How ONNX Runtime runs the graphs.
 *
 * @param provider       where the graphs execute
 * @param intraOpThreads threads one graph call may use; with batching one step runs at a time, so the
 *                       default is every core
 */
public record RuntimeOptions(ExecutionProvider provider, int intraOpThreads) {

    public RuntimeOptions {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + intraOpThreads);
        }
    }

    /** Every core of this machine for one step. */
    public static RuntimeOptions allCores(ExecutionProvider provider) {
        return new RuntimeOptions(provider, Runtime.getRuntime().availableProcessors());
    }
}
