package org.dcpserve.core.schedule;

/**
 * Bounds of the step scheduler (the service maps them from {@code dcp.*} properties).
 *
 * @param maxBatch        most sequences advancing together in one step
 * @param maxQueued       most requests waiting to join; one more is refused with {@link QueueFullException}
 * @param maxKvBytes      most bytes the running sequences' KV caches may allocate together; sequences join
 *                        by their expected bytes and are preempted when the caches pass it; a request whose
 *                        dense worst case (prompt + max new tokens) alone is more is refused
 * @param prefillChunk    most prompt tokens fed per step over all joining sequences, so a long prompt
 *                        delays the running sequences by about one chunk's forward pass per step
 */
public record SchedulerLimits(int maxBatch, int maxQueued, long maxKvBytes, int prefillChunk) {

    public SchedulerLimits {
        if (maxBatch < 1 || maxQueued < 0 || maxKvBytes < 1 || prefillChunk < 1) {
            throw new IllegalArgumentException("scheduler limits must be positive (max queued may be 0): " + this);
        }
    }
}
