package org.dcpserve.server.generate;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Tokens per second from a running total, over about the last {@link #WINDOW_NANOS}: every read adds a
 * sample, and the rate is measured from the oldest sample still inside the window (or the latest one before
 * it, when reads are rarer than the window, e.g. one Prometheus scrape every 15 s).
 */
final class TokenRate {

    static final long WINDOW_NANOS = 10_000_000_000L;

    private final LongSupplier total;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    TokenRate(LongSupplier total) {
        this.total = total;
    }

    synchronized double perSecond() {
        long now = System.nanoTime();
        long count = total.getAsLong();
        samples.addLast(new long[] {now, count});
        // Drop the oldest sample while the next one is also old enough to span the window.
        while (samples.size() > 2 && now - second()[0] >= WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] oldest = samples.getFirst();
        long elapsed = now - oldest[0];
        return elapsed <= 0 ? 0 : (count - oldest[1]) * 1e9 / elapsed;
    }

    private long[] second() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }
}
