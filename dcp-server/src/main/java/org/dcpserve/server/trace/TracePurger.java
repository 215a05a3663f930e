package org.dcpserve.server.trace;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes the traces older than {@code dcp.traces.retention}, every {@code dcp.traces.purge-interval}, in
 * transactions of at most {@code dcp.traces.purge-batch} traces (their tokens, layers and drops go with them:
 * on delete cascade), so a purge never holds a long lock and the trace writer keeps committing beside it.
 *
 * <p>The drop statistics keep counting purged traces: they are aggregates that hold no prompt or output, and
 * recounting them would mean reading every purged trace. Their example request ids are looked up in the stored
 * traces at each query, so a purged trace is never offered as an example.
 */
@Component
public class TracePurger {

    private static final Logger log = LoggerFactory.getLogger(TracePurger.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final TraceRetentionProperties properties;
    private final TraceStoreMetrics store;
    private final Counter purged;
    private final Timer duration;

    TracePurger(NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactionManager,
                TraceRetentionProperties properties, TraceStoreMetrics store, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.properties = properties;
        this.store = store;
        this.purged = Counter.builder("dcp.traces.purged").description("Drop traces deleted by the retention purge")
                .register(meters);
        this.duration = Timer.builder("dcp.traces.purge").description("Time one retention purge took")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${dcp.traces.purge-interval:10m}",
            initialDelayString = "${dcp.traces.purge-interval:10m}")
    void scheduled() {
        if (!properties.keepsForever()) {
            purge();
        }
    }

    /**
     * Deletes every trace created before now minus the retention, batch by batch, and returns how many. A failing
     * batch stops this purge (the next one retries); the batches before it stay deleted.
     */
    public synchronized long purge() {
        if (properties.keepsForever()) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(properties.retention());
        long start = System.nanoTime();
        long total = 0;
        int deleted;
        do {
            deleted = transactions.execute(status -> deleteOldest(cutoff));
            total += deleted;
            purged.increment(deleted);
        } while (deleted == properties.purgeBatch());
        long nanos = System.nanoTime() - start;
        duration.record(nanos, TimeUnit.NANOSECONDS);
        if (total > 0) {
            log.info("Purged {} drop traces older than {} in {} ms", total, cutoff, nanos / 1_000_000);
            store.refresh();
        }
        return total;
    }

    private int deleteOldest(Instant cutoff) {
        Map<String, Object> params = Map.of("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC),
                "batch", properties.purgeBatch());
        List<UUID> ids = jdbc.queryForList("select request_id from trace where created_at < :cutoff"
                + " order by created_at limit :batch", params, UUID.class);
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.update("delete from trace where request_id in (:ids)", Map.of("ids", ids));
    }
}
