package org.dcpserve.server.trace;

import java.util.UUID;
import org.dcpserve.server.security.Caller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads a trace back whole. Four queries whatever the trace's size: the trace, then each of its three
 * collections in one SELECT (never joined together, which would multiply their rows).
 */
@Service
class TraceReader {

    private final TraceRepository traces;

    TraceReader(TraceRepository traces) {
        this.traces = traces;
    }

    @Transactional(readOnly = true)
    Explanation explain(UUID requestId, Caller caller) {
        // Another key's trace is "not found", word for word as an unknown id: the answer tells nothing of its existence.
        Trace trace = traces.findById(requestId).filter(t -> caller.sees(t.ownerKey()))
                .orElseThrow(() -> new TraceNotFoundException(requestId));
        return Explanation.of(requestId, trace);
    }
}
