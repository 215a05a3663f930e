package org.dcpserve.server.trace;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.load.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Stores the drop trace of every finished generation: one transaction, batched inserts, committed before
 * the caller answers the client. Everything before this call stays in memory; this is the only database
 * work on a request's path.
 */
@Component
public class TraceRecorder {

    private static final Logger log = LoggerFactory.getLogger(TraceRecorder.class);

    private final TraceRepository traces;
    private final String model;
    private final Timer stored;
    private final Timer failed;

    TraceRecorder(TraceRepository traces, ModelSource source, MeterRegistry meters) {
        this.traces = traces;
        this.model = source.name();
        this.stored = writeTimer(meters, "stored");
        this.failed = writeTimer(meters, "failed");
    }

    private static Timer writeTimer(MeterRegistry meters, String outcome) {
        return Timer.builder("dcp.trace.write").description("Time to store one request's drop trace")
                .tag("outcome", outcome).register(meters);
    }

    /**
     * Stores and commits the trace of {@code generation}.
     *
     * @return how long it took in nanoseconds (building the rows, inserting, committing)
     * @throws TraceStoreException if the trace could not be stored; nothing of it is then in the database
     */
    public long record(UUID requestId, String prompt, Generation generation) {
        long start = System.nanoTime();
        try {
            // Microseconds: what both databases keep, so a trace reads back exactly as written.
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            traces.save(Trace.of(requestId, now, model, prompt, generation));
        } catch (RuntimeException e) {
            failed.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            log.error("Could not store the trace of request {}", requestId, e);
            throw new TraceStoreException(requestId, e);
        }
        long nanos = System.nanoTime() - start;
        stored.record(nanos, TimeUnit.NANOSECONDS);
        return nanos;
    }
}
