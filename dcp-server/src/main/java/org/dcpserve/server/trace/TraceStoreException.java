package org.dcpserve.server.trace;

import java.util.UUID;

/**
 * A finished generation whose trace could not be stored, or a traced request refused before it ran because the
 * trace writer failed. The request fails rather than answer with a request id that /explain would not know.
 */
public class TraceStoreException extends RuntimeException {

    public TraceStoreException(UUID requestId, Throwable cause) {
        super("the generation finished but its drop trace could not be stored (request " + requestId
                + "); retry later", cause);
    }

    private TraceStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The writer thread failed on {@code cause}: no trace can be stored until the service is restarted. */
    static TraceStoreException writerFailed(Throwable cause) {
        return new TraceStoreException("drop traces cannot be stored (the trace writer failed) until the service is"
                + " restarted; send \"trace\": false to generate without one", cause);
    }
}
