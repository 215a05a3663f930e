package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.dcpserve.server.trace.TracePurger;
import org.dcpserve.server.trace.TraceStoreMetrics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The retention purge and the store's size on the embedded PostgreSQL 17 that {@link PostgresTraceTest} uses too
 * (same database). It serves another model than that test, whose statistics recount only its own model's traces,
 * and touches only the traces it made.
 */
class PostgresRetentionTest extends PostgresServiceTest {

    @DynamicPropertySource
    static void modelAndRetention(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGpt2Package().toString());
        registry.add("dcp.traces.retention", () -> "7d");
        registry.add("dcp.traces.purge-batch", () -> 2);
        registry.add("dcp.traces.purge-interval", () -> "1h");
        registry.add("dcp.traces.metrics-interval", () -> "1h");
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TracePurger purger;

    @Autowired
    TraceStoreMetrics store;

    @Test
    void purgesTracesOlderThanTheWindowInBatchesAndKeepsTheRest() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(UUID.fromString(http.generateOk("PostgreSQL forgets old traces", 5, i, "").get("request_id").asString()));
        }
        List<UUID> old = ids.subList(0, 5);
        List<UUID> recent = ids.subList(5, 7);
        TraceRows.age(jdbc, old, Duration.ofDays(8));
        TraceRows.age(jdbc, recent.subList(0, 1), Duration.ofDays(6));
        Map<String, Long> recentRows = TraceRows.rowsOf(jdbc, recent);

        assertThat(purger.purge()).as("5 traces in batches of 2").isEqualTo(5);

        assertThat(TraceRows.rowsOf(jdbc, old)).allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        assertThat(TraceRows.rowsOf(jdbc, recent)).isEqualTo(recentRows);
        recent.forEach(id -> http.explainOk(id.toString()));

        store.refresh();
        String metrics = http.get("/actuator/prometheus").body();
        assertThat(TraceRetentionTest.metric(metrics, "dcp_traces_stored"))
                .isEqualTo(jdbc.queryForObject("select count(*) from trace", Double.class));
        // pg_total_relation_size: at least a page (8 kB) per table and per index.
        assertThat(TraceRetentionTest.metric(metrics, "dcp_traces_size_bytes")).isGreaterThan(8 * 8192);
    }
}
