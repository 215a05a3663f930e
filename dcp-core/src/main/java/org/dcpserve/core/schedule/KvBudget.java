package org.dcpserve.core.schedule;

import org.dcpserve.core.engine.KvPool;

/**
 * How many KV bytes a sequence is expected to need, for admission by real memory. A dense sequence needs
 * its dense worst case; a pruned one is expected to keep the share of a dense cache that the pruned
 * sequences running now keep (measured after every step; a dense share until one was measured), since its
 * policy's sparsity is not known before it runs. The expectation may be wrong: the scheduler then preempts
 * (see {@link StepScheduler}), and a preempted sequence is expected to need at least what it had allocated.
 * Step thread only.
 */
final class KvBudget {

    /** Caches allocate up to about an eighth more than they hold (growth room), then round up to a grain. */
    static final double ALLOCATION_SLACK = 1.125;
    /** Pruned sequences shorter than this do not move the measured share (a short prefix keeps most of itself). */
    private static final int MIN_MEASURED_TOKENS = 32;

    private final long maxBytes;
    private double keptShare = 1.0;

    KvBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /**
     * Expected allocated bytes of a sequence of at most {@code maxLength} tokens of {@code bytesPerToken}:
     * the tokens it is expected to keep, with the growth room and rounded up to a whole grain of slots.
     */
    long expected(int maxLength, long bytesPerToken, boolean pruned) {
        double kept = Math.ceil(maxLength * (pruned ? keptShare : 1.0) * ALLOCATION_SLACK);
        long slots = ((long) kept + KvPool.GRAIN - 1) / KvPool.GRAIN * KvPool.GRAIN;
        return slots * bytesPerToken;
    }

    /**
     * After a step: the pruned running sequences of at least {@value #MIN_MEASURED_TOKENS} tokens held
     * {@code held} bytes where dense caches of their lengths would hold {@code dense}.
     */
    void observe(long held, long dense) {
        if (dense > 0) {
            keptShare = Math.min(1.0, (double) held / dense);
        }
    }

    static boolean measured(int length) {
        return length >= MIN_MEASURED_TOKENS;
    }

    /** The share of a dense cache pruned sequences are expected to keep. */
    double keptShare() {
        return keptShare;
    }
}
