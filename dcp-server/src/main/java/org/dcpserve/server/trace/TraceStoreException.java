package org.dcpserve.server.trace;

import java.util.UUID;

/**
 * A finished generation whose trace could not be stored. The request fails rather than answer with a
 * request id that /explain would not know.
 */
public class TraceStoreException extends RuntimeException {

    public TraceStoreException(UUID requestId, Throwable cause) {
        super("the generation finished but its drop trace could not be stored (request " + requestId
                + "); retry later", cause);
    }
}
