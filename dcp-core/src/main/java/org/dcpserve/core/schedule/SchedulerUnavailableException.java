package org.dcpserve.core.schedule;

/**
 * The step scheduler takes no more work (HTTP 503): its step loop failed, or it is draining or closed because the
 * service is stopping. A sequence that was running or waiting when the loop failed completes with this too.
 */
public final class SchedulerUnavailableException extends IllegalStateException {

    private SchedulerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The step loop stopped on {@code cause}; nothing runs until the service is restarted. */
    static SchedulerUnavailableException failed(Throwable cause) {
        // The kind of failure, not its message: the client learns what failed, the log has how.
        return new SchedulerUnavailableException("the generation engine failed (" + cause.getClass().getSimpleName()
                + ") and takes no more requests until the service is restarted; the log has the cause", cause);
    }

    /** Draining or closed: the service is stopping. */
    static SchedulerUnavailableException stopping() {
        return new SchedulerUnavailableException("the service is shutting down and takes no new requests; retry"
                + " on another instance or later", null);
    }
}
