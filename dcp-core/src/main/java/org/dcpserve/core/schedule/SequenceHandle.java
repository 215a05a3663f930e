package org.dcpserve.core.schedule;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted sequence: its outcome, and the way to stop it. Cancelling takes a waiting request out of the
 * queue at once; a running one leaves the batch before the next step and frees its cache budget then.
 */
public final class SequenceHandle<R> {

    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final Runnable dequeue;

    SequenceHandle(Runnable dequeue) {
        this.dequeue = dequeue;
    }

    /** Completes with the task's result, or exceptionally when it failed, was cancelled or the scheduler closed. */
    public CompletableFuture<R> result() {
        return result;
    }

    /** Stops the sequence; returns false when it had already completed. */
    public boolean cancel() {
        boolean cancelled = result.cancel(false);
        if (cancelled) {
            dequeue.run();
        }
        return cancelled;
    }

    boolean isDone() {
        return result.isDone();
    }

    void complete(R value) {
        result.complete(value);
    }

    void fail(Throwable error) {
        result.completeExceptionally(error);
    }
}
