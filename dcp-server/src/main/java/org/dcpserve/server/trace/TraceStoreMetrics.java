package org.dcpserve.server.trace;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * How much the trace store holds: {@code dcp_traces_stored} (traces) and {@code dcp_traces_size_bytes} (the bytes
 * of the four trace tables with their indexes, as H2 or PostgreSQL reports them; absent on another database).
 * Counted every {@code dcp.traces.metrics-interval} and after each purge rather than at every scrape: counting the
 * rows of a large PostgreSQL table scans it, which a scrape every few seconds should not cause.
 */
@Component
public class TraceStoreMetrics {

    private static final Logger log = LoggerFactory.getLogger(TraceStoreMetrics.class);
    private static final String[] TABLES = {"trace", "trace_token", "trace_layer", "trace_drop"};

    private final JdbcTemplate jdbc;
    private final String sizeQuery;
    private final AtomicLong traces = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    TraceStoreMetrics(JdbcTemplate jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.sizeQuery = sizeQuery(jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName()));
        Gauge.builder("dcp.traces.stored", traces, AtomicLong::get).description("Drop traces in the database")
                .register(meters);
        if (sizeQuery != null) {
            Gauge.builder("dcp.traces.size", bytes, AtomicLong::get).baseUnit("bytes")
                    .description("Bytes the drop-trace tables and their indexes take in the database").register(meters);
        }
    }

    /** The sum of the trace tables' sizes, in the database's own terms; null when it has no such function. */
    private static String sizeQuery(String product) {
        String name = product == null ? "" : product.toLowerCase(java.util.Locale.ROOT);
        String function;
        if (name.contains("postgres")) {
            function = "pg_total_relation_size('%s')";
        } else if (name.contains("h2")) {
            function = "disk_space_used('%s')";
        } else {
            return null;
        }
        StringBuilder sql = new StringBuilder("select ");
        for (int i = 0; i < TABLES.length; i++) {
            sql.append(i == 0 ? "" : " + ").append(function.formatted(TABLES[i]));
        }
        return sql.toString();
    }

    @Scheduled(fixedDelayString = "${dcp.traces.metrics-interval:1m}")
    public void refresh() {
        try {
            traces.set(jdbc.queryForObject("select count(*) from trace", Long.class));
            if (sizeQuery != null) {
                bytes.set(jdbc.queryForObject(sizeQuery, Long.class));
            }
        } catch (RuntimeException e) {
            log.warn("Could not measure the trace store: {}", e.getMessage());
        }
    }
}
