package org.dcpserve.core.bench;

/** Times a native call for the micro-benchmarks: 0.3 s of warm-up, then the mean over 1 s of calls. */
final class CallTimer {

    /** One call of what is timed. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private CallTimer() {
    }

    static double microsPerCall(Call call) throws Exception {
        long warmUpEnd = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            call.run();
        }
        long calls = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            call.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < 1_000_000_000L);
        return elapsed / 1e3 / calls;
    }
}
