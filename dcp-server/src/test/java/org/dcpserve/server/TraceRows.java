package org.dcpserve.server;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** The rows a trace leaves in the database, read with plain SQL, for the retention and do-not-trace tests. */
final class TraceRows {

    static final List<String> TRACE_TABLES = List.of("trace", "trace_token", "trace_layer", "trace_drop");
    static final List<String> STATS_TABLES = List.of("drop_stat_model", "drop_stat_token", "drop_stat_position",
            "drop_stat_lifetime");

    private TraceRows() {
    }

    /** Moves traces back in time, as if they had been stored {@code age} ago. */
    static void age(JdbcTemplate jdbc, Collection<UUID> ids, Duration age) {
        OffsetDateTime then = OffsetDateTime.now(ZoneOffset.UTC).minus(age);
        for (UUID id : ids) {
            jdbc.update("update trace set created_at = ? where request_id = ?", then, id);
        }
    }

    /** Rows of these traces in each trace table. */
    static Map<String, Long> rowsOf(JdbcTemplate jdbc, Collection<UUID> ids) {
        Map<String, Long> rows = new LinkedHashMap<>();
        String in = String.join(", ", ids.stream().map(id -> "'" + id + "'").toList());
        for (String table : TRACE_TABLES) {
            rows.put(table, jdbc.queryForObject("select count(*) from " + table + " where request_id in (" + in + ")",
                    Long.class));
        }
        return rows;
    }

    /**
     * Everything the trace and statistics tables hold, summed: row counts, and the counters an upsert would raise
     * without adding a row.
     */
    static Map<String, Long> snapshot(JdbcTemplate jdbc) {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        for (String table : TRACE_TABLES) {
            snapshot.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
        }
        for (String table : STATS_TABLES) {
            snapshot.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
        }
        snapshot.put("drop_stat_model.requests+tokens", jdbc.queryForObject(
                "select coalesce(sum(requests + tokens), 0) from drop_stat_model", Long.class));
        snapshot.put("drop_stat_token.seen+dropped", jdbc.queryForObject(
                "select coalesce(sum(seen + dropped + lifetime_sum), 0) from drop_stat_token", Long.class));
        snapshot.put("drop_stat_position.seen+dropped", jdbc.queryForObject(
                "select coalesce(sum(seen + dropped), 0) from drop_stat_position", Long.class));
        snapshot.put("drop_stat_lifetime.dropped", jdbc.queryForObject(
                "select coalesce(sum(dropped), 0) from drop_stat_lifetime", Long.class));
        return snapshot;
    }
}
