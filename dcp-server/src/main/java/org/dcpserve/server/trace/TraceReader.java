package org.dcpserve.server.trace;

import java.util.UUID;
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
    Explanation explain(UUID requestId) {
        Trace trace = traces.findById(requestId).orElseThrow(() -> new TraceNotFoundException(requestId));
        return Explanation.of(requestId, trace);
    }
}
