package org.dcpserve.server.trace;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.load.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.dcpserve.server.stats.DropStatsWriter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores the drop trace of every finished generation: one transaction, batched inserts, committed before
 * the caller answers the client. Everything before this call stays in memory; this is the only database
 * work on a request's path. The same transaction adds the trace to the drop statistics across requests.
 */
@Component
public class TraceRecorder {

    private static final Logger log = LoggerFactory.getLogger(TraceRecorder.class);

    private final TraceRepository traces;
    private final String model;
    private final MeterRegistry meters;
    private final DropStatsWriter stats;
    private final TransactionTemplate transaction;
    /** Serializes trace writes where the statistics' upserts need it (H2); PostgreSQL's do not. */
    private final ReentrantLock statsLock = new ReentrantLock(true);

    TraceRecorder(TraceRepository traces, ModelSource source, MeterRegistry meters, DropStatsWriter stats,
                  PlatformTransactionManager transactions) {
        this.traces = traces;
        this.model = source.name();
        this.meters = meters;
        this.stats = stats;
        this.transaction = new TransactionTemplate(transactions);
    }

    private Timer writeTimer(String outcome, String policy) {
        return Timer.builder("dcp.trace.write").description("Time to store one request's drop trace")
                .tags("outcome", outcome, "model", model, "policy", policy).register(meters);
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
            boolean serialize = stats.needsSerializedWriters();
            if (serialize) {
                statsLock.lock();
            }
            try {
                transaction.executeWithoutResult(status -> {
                    traces.save(Trace.of(requestId, now, model, prompt, generation));
                    stats.add(model, generation, Trace::storable);
                });
            } finally {
                if (serialize) {
                    statsLock.unlock();
                }
            }
        } catch (RuntimeException e) {
            writeTimer("failed", generation.pruning().policy()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            log.error("Could not store the trace of request {}", requestId, e);
            throw new TraceStoreException(requestId, e);
        }
        long nanos = System.nanoTime() - start;
        writeTimer("stored", generation.pruning().policy()).record(nanos, TimeUnit.NANOSECONDS);
        return nanos;
    }
}
