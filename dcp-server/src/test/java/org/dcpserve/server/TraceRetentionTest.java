package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dcpserve.server.trace.TracePurger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Retention, do-not-trace, the stored prompt after truncation, and the trace-store metrics, over HTTP on H2 (file)
 * with a model that drops tokens. The purge batch is 3, so a purge of 7 traces takes three transactions. A service
 * of its own: a purge leaves drop statistics without their traces, which {@link DropStatsApiTest}'s recount would
 * not find.
 */
class TraceRetentionTest extends GatedModelServiceTest {

    static final String PROMPT = "Keep the new traces and forget the old ones";
    static final int BATCH = 3;

    @DynamicPropertySource
    static void retention(DynamicPropertyRegistry registry) {
        registry.add("dcp.traces.retention", () -> "1h");
        registry.add("dcp.traces.purge-batch", () -> BATCH);
        // The tests purge themselves; the scheduled purge must not run in between (its first run is after 1 h).
        registry.add("dcp.traces.purge-interval", () -> "1h");
        registry.add("dcp.traces.metrics-interval", () -> "200ms");
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TracePurger purger;

    @Autowired
    ScheduledTaskHolder scheduled;

    @Test
    void purgesTracesOlderThanTheWindowInBatchesAndKeepsTheRest() {
        List<UUID> old = generate(7);
        List<UUID> recent = generate(2);
        TraceRows.age(jdbc, old, Duration.ofHours(2));
        TraceRows.age(jdbc, recent.subList(0, 1), Duration.ofMinutes(50));   // inside the window
        assertThat(TraceRows.rowsOf(jdbc, old)).allSatisfy((table, rows) -> assertThat(rows).as(table).isPositive());
        Map<String, Long> recentRows = TraceRows.rowsOf(jdbc, recent);

        assertThat(purger.purge()).as("all 7, over more than one batch of " + BATCH).isEqualTo(7);

        assertThat(TraceRows.rowsOf(jdbc, old)).allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        assertThat(TraceRows.rowsOf(jdbc, recent)).isEqualTo(recentRows);
        for (UUID id : old) {
            assertProblem(http.get("/explain/" + id), 404, "no trace for request " + id);
        }
        recent.forEach(id -> http.explainOk(id.toString()));
        assertThat(purger.purge()).as("nothing left to purge").isZero();

        // A purged trace is never offered as an example of the drop statistics.
        JsonNode stats = http.json200("/explain/stats?min_count=1&limit=50");
        List<String> examples = new ArrayList<>();
        stats.get("top_dropped").forEach(t -> t.get("examples").forEach(e -> examples.add(e.asString())));
        stats.get("top_kept").forEach(t -> t.get("examples").forEach(e -> examples.add(e.asString())));
        assertThat(examples).isNotEmpty().doesNotContainAnyElementsOf(old.stream().map(UUID::toString).toList());
    }

    @Test
    void theScheduledPurgeRunsAtTheConfiguredInterval() {
        assertThat(scheduled.getScheduledTasks()).anySatisfy(task -> {
            assertThat(task.getTask()).isInstanceOf(FixedDelayTask.class);
            assertThat(task.getTask().getRunnable().toString()).contains("TracePurger.scheduled");
            assertThat(((FixedDelayTask) task.getTask()).getIntervalDuration()).isEqualTo(Duration.ofHours(1));
        });
    }

    @Test
    void aRequestThatAsksNotToBeTracedLeavesNoRows() {
        generate(1);   // the statistics have rows, so an untraced request could only add to them
        Map<String, Long> before = TraceRows.snapshot(jdbc);
        List<String> ids = new ArrayList<>();

        HttpResponse<String> tgi = http.postJson("/generate", "{\"inputs\": \"" + PROMPT + "\", \"parameters\":"
                + " {\"max_new_tokens\": 6, \"details\": true, \"trace\": false}}");
        assertThat(tgi.statusCode()).as(tgi.body()).isEqualTo(200);
        JsonNode body = HttpClientSupport.json(tgi);
        assertThat(body.get("details").get("timings").get("trace_write_ms").isNull()).isTrue();
        ids.add(body.get("request_id").asString());
        assertThat(tgi.headers().firstValue("X-Request-Id")).contains(ids.getFirst());

        HttpResponse<String> stream = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\","
                + " \"parameters\": {\"max_new_tokens\": 6, \"trace\": false}}");
        ids.add(HttpClientSupport.events(stream).getLast().get("request_id").asString());

        HttpResponse<String> completion = http.postJson("/v1/completions", "{\"model\": \"" + MODEL + "\","
                + " \"prompt\": \"" + PROMPT + "\", \"max_tokens\": 6, \"n\": 2, \"trace\": false}");
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
        HttpClientSupport.json(completion).get("choices").forEach(c -> ids.add(c.get("request_id").asString()));

        HttpResponse<String> chat = http.postJson("/v1/chat/completions", "{\"model\": \"" + MODEL + "\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 6, \"stream\": true,"
                + " \"trace\": false}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        Matcher id = Pattern.compile("\"request_id\":\"([0-9a-f-]{36})\"").matcher(chat.body());
        assertThat(id.find()).as(chat.body()).isTrue();
        ids.add(id.group(1));

        assertThat(TraceRows.snapshot(jdbc)).isEqualTo(before);
        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        for (String requestId : ids) {
            assertProblem(http.get("/explain/" + requestId), 404, "no trace for request " + requestId);
        }
        // The same request traced does add rows: the snapshot sees them.
        generate(1);
        assertThat(TraceRows.snapshot(jdbc)).isNotEqualTo(before);
    }

    @Test
    void theStoredPromptIsWhatTheModelSawAfterTruncation() {
        String prompt = "one two three four five six seven eight nine ten eleven twelve";
        HttpResponse<String> response = http.postJson("/generate", "{\"inputs\": \"" + prompt + "\", \"parameters\":"
                + " {\"max_new_tokens\": 3, \"truncate\": 4, \"details\": true}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode explained = http.explainOk(HttpClientSupport.json(response).get("request_id").asString());

        StringBuilder fed = new StringBuilder();
        explained.get("tokens").forEach(t -> {
            if (t.get("prompt").asBoolean()) {
                fed.append(t.get("text").asString());
            }
        });
        assertThat(explained.get("prompt_tokens").asInt()).isEqualTo(4);
        assertThat(explained.get("prompt").asString()).isEqualTo(fed.toString()).isEqualTo(" nine ten eleven twelve");
    }

    @Test
    void theTraceStoreAndThePurgeAreMeasured() throws InterruptedException {
        generate(2);
        UUID old = generate(1).getFirst();
        TraceRows.age(jdbc, List.of(old), Duration.ofDays(1));
        assertThat(purger.purge()).isEqualTo(1);

        String metrics = awaitStored(jdbc.queryForObject("select count(*) from trace", Long.class));
        double bytes = metric(metrics, "dcp_traces_size_bytes");
        assertThat(bytes).isPositive();
        assertThat(metric(metrics, "dcp_traces_purged_total")).isGreaterThanOrEqualTo(1);
        assertThat(metric(metrics, "dcp_traces_purge_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(metric(metrics, "dcp_traces_purge_seconds_sum")).isPositive();

        for (int i = 0; i < 10; i++) {
            http.generateOk(PROMPT, 40, i, "");
        }
        metrics = awaitStored(jdbc.queryForObject("select count(*) from trace", Long.class));
        assertThat(metric(metrics, "dcp_traces_size_bytes")).as("ten more traces take room").isGreaterThan(bytes);
    }

    /** The Prometheus text once dcp_traces_stored shows {@code stored} (refreshed every 200 ms here). */
    private String awaitStored(long stored) throws InterruptedException {
        String metrics = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            metrics = http.get("/actuator/prometheus").body();
            if (metric(metrics, "dcp_traces_stored") == stored) {
                return metrics;
            }
            Thread.sleep(100);
        }
        assertThat(metric(metrics, "dcp_traces_stored")).as(metrics).isEqualTo(stored);
        return metrics;
    }

    private List<UUID> generate(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.fromString(http.generateOk(PROMPT, 6, i, "").get("request_id").asString()));
        }
        return ids;
    }

    /** The value of an unlabelled (or singly labelled) sample in Prometheus text. */
    static double metric(String prometheus, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(prometheus);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }
}
