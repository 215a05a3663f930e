package org.dcpserve.server.trace;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.server.model.DcpProperties;
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
 *
 * <p>Nothing waits unbounded: a caller waits at most {@code dcp.trace-write-timeout}. If the writer thread itself
 * ends on anything but a stop (an {@link Error}, a bug), the recorder is {@link #failure failed}: every waiting
 * and later trace fails at once with a {@link TraceStoreException} (503) and the health check is DOWN.
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
    private final Duration writeTimeout;
    /** Why the writer thread ended, when it failed; null while it runs. */
    private volatile Throwable failure;

    TraceRecorder(TraceRepository traces, PlatformTransactionManager transactionManager, ModelSource source,
                  MeterRegistry meters, DropStatsWriter stats, DcpProperties properties) {
        this.traces = traces;
        this.writeTimeout = properties.traceWriteTimeout();
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
     * @throws TraceStoreException if the trace could not be stored, or not within dcp.trace-write-timeout (then
     *         it is given up: not written if the writer had not started on it), or the writer failed
     */
    public long record(UUID requestId, String owner, String prompt, Generation generation) {
        long start = System.nanoTime();
        Pending job = new Pending(requestId, owner, prompt, generation, new CompletableFuture<>());
        requireWriter();
        pending.add(job);
        Throwable failed = failure;
        if (failed != null) {
            // The writer failed since the check: its last sweep may have missed the job, so it fails here.
            pending.remove(job);
            job.done().completeExceptionally(TraceStoreException.writerFailed(failed));
        }
        try {
            job.done().get(writeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException | ExecutionException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            job.done().completeExceptionally(new TraceStoreException(requestId, e));
            writeTimer("failed", generation.pruning().policy()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw cause instanceof TraceStoreException store ? store : new TraceStoreException(requestId, cause);
        }
        long nanos = System.nanoTime() - start;
        writeTimer("stored", generation.pruning().policy()).record(nanos, TimeUnit.NANOSECONDS);
        return nanos;
    }

    /** Refuses a traced request before it runs once the writer failed: its trace could never be stored. */
    public void requireWriter() {
        Throwable failed = failure;
        if (failed != null) {
            throw TraceStoreException.writerFailed(failed);
        }
    }

    /** Why the writer stopped taking traces, when it failed; null while it works. */
    public Throwable failure() {
        return failure;
    }

    /** Writes what was handed over, then stops (a graceful shutdown has drained the requests before). */
    @PreDestroy
    void stop() throws InterruptedException {
        writer.interrupt();
        writer.join(writeTimeout.toMillis());
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        try {
            while (true) {
                try {
                    group.add(pending.take());
                } catch (InterruptedException e) {
                    while (pending.drainTo(group, MAX_GROUP) > 0) {
                        write(group);
                        group.clear();
                    }
                    return;
                }
                pending.drainTo(group, MAX_GROUP - 1);
                write(group);
                group.clear();
            }
        } catch (Throwable e) {
            // Everything, Errors included: a writer that ends unnoticed leaves every later request waiting.
            failure = e;
            log.error("The trace writer failed; every trace fails from now on until the service is restarted", e);
            group.addAll(pending);
            pending.clear();
            group.forEach(job -> job.done().completeExceptionally(new TraceStoreException(job.requestId(), e)));
        }
    }

    private void write(List<Pending> group) {
        // Given up by their callers (dcp.trace-write-timeout): not written, their requests were answered 503.
        group.removeIf(job -> job.done().isDone());
        if (group.isEmpty()) {
            return;
        }
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
