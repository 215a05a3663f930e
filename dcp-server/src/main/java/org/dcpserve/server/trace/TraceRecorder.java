package org.dcpserve.server.trace;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.load.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.dcpserve.server.stats.DropStatsWriter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores the drop trace of every finished generation, committed before the caller answers the client.
 * Everything before this call stays in memory; this is the only database work on a request's path. The same
 * transaction adds the trace to the drop statistics across requests.
 *
 * <p>Group commit: one writer thread stores whatever traces are waiting in one transaction (batched
 * inserts, one JDBC batch per table for all of them), so under load many requests share a commit instead of
 * each paying for its own. A caller waits until its trace is committed. If a shared transaction fails, each of
 * its traces is retried in a transaction of its own, so one bad trace fails only its own request. The single
 * writer also serializes the statistics' upserts, which H2's MERGE needs.
 */
@Component
public class TraceRecorder {

    private static final Logger log = LoggerFactory.getLogger(TraceRecorder.class);
    /** Most traces in one transaction. */
    static final int MAX_GROUP = 64;

    private final TraceRepository traces;
    private final TransactionTemplate transactions;
    private final String model;
    private final MeterRegistry meters;
    private final DropStatsWriter stats;
    private final DistributionSummary groupSize;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Thread writer;

    TraceRecorder(TraceRepository traces, PlatformTransactionManager transactionManager, ModelSource source,
                  MeterRegistry meters, DropStatsWriter stats) {
        this.traces = traces;
        this.transactions = new TransactionTemplate(transactionManager);
        this.model = source.name();
        this.meters = meters;
        this.stats = stats;
        this.groupSize = DistributionSummary.builder("dcp.trace.group.size")
                .description("Traces committed together in one transaction").register(meters);
        this.writer = Thread.ofPlatform().name("dcp-trace-writer").daemon().start(this::writeLoop);
    }

    private Timer writeTimer(String outcome, String policy) {
        return Timer.builder("dcp.trace.write").description("Time from handing a request's drop trace over to its commit")
                .tags("outcome", outcome, "model", model, "policy", policy).register(meters);
    }

    /**
     * Stores and commits the trace of {@code generation}, waiting until it is committed.
     *
     * @param owner the name of the API key that asked for it; null when keys are off
     * @return how long it took in nanoseconds (waiting for the writer, building the rows, inserting, committing)
     * @throws TraceStoreException if the trace could not be stored; nothing of it is then in the database
     */
    public long record(UUID requestId, String owner, String prompt, Generation generation) {
        long start = System.nanoTime();
        Pending job = new Pending(requestId, owner, prompt, generation, new CompletableFuture<>());
        pending.add(job);
        try {
            job.done().join();
        } catch (CompletionException e) {
            writeTimer("failed", generation.pruning().policy()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            throw e.getCause() instanceof TraceStoreException store ? store : new TraceStoreException(requestId, e);
        }
        long nanos = System.nanoTime() - start;
        writeTimer("stored", generation.pruning().policy()).record(nanos, TimeUnit.NANOSECONDS);
        return nanos;
    }

    @PreDestroy
    void stop() {
        writer.interrupt();
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            try {
                group.add(pending.take());
            } catch (InterruptedException e) {
                pending.forEach(job -> job.done().completeExceptionally(
                        new TraceStoreException(job.requestId(), new IllegalStateException("the service is stopping"))));
                return;
            }
            pending.drainTo(group, MAX_GROUP - 1);
            write(group);
            group.clear();
        }
    }

    private void write(List<Pending> group) {
        try {
            transactions.executeWithoutResult(status -> group.forEach(this::save));
            groupSize.record(group.size());
            group.forEach(job -> job.done().complete(null));
        } catch (RuntimeException shared) {
            if (group.size() == 1) {
                fail(group.getFirst(), shared);
                return;
            }
            // Which trace broke the transaction is unknown: each one alone.
            for (Pending job : group) {
                try {
                    transactions.executeWithoutResult(status -> save(job));
                    groupSize.record(1);
                    job.done().complete(null);
                } catch (RuntimeException alone) {
                    fail(job, alone);
                }
            }
        }
    }

    private void save(Pending job) {
        // Microseconds: what both databases keep, so a trace reads back exactly as written.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        traces.save(Trace.of(job.requestId(), now, model, job.owner(), job.prompt(), job.generation()));
        stats.add(model, job.owner(), job.generation(), Trace::storable);
    }

    private static void fail(Pending job, RuntimeException error) {
        log.error("Could not store the trace of request {}", job.requestId(), error);
        job.done().completeExceptionally(new TraceStoreException(job.requestId(), error));
    }

    private record Pending(UUID requestId, String owner, String prompt, Generation generation, CompletableFuture<Void> done) {
    }
}
