package org.dcpserve.server.trace;

import java.util.UUID;

/** No trace was stored under this request id. */
public class TraceNotFoundException extends RuntimeException {

    public TraceNotFoundException(UUID requestId) {
        super("no trace for request " + requestId);
    }
}
