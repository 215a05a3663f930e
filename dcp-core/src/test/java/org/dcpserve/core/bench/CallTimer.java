package org.dcpserve.core.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/** Times a call for the micro-benchmarks: 0.3 s of warm-up, then the mean over 1 s of calls. */
final class CallTimer {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One call of what is timed. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private CallTimer() {
    }

    /** Wall-clock microseconds per call. */
    static double microsPerCall(Call call) throws Exception {
        return microsPerCall(call, System::nanoTime);
    }

    /**
     * Microseconds of this thread's CPU per call, for Java-only work on a shared host: time spent waiting for a
     * core does not count.
     */
    static double cpuMicrosPerCall(Call call) throws Exception {
        return microsPerCall(call, THREADS::getCurrentThreadCpuTime);
    }

    private static double microsPerCall(Call call, LongSupplier clock) throws Exception {
        long warmUpEnd = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            call.run();
        }
        long calls = 0;
        long start = clock.getAsLong();
        long elapsed;
        do {
            call.run();
            calls++;
            elapsed = clock.getAsLong() - start;
        } while (elapsed < 1_000_000_000L);
        return elapsed / 1e3 / calls;
    }
}
