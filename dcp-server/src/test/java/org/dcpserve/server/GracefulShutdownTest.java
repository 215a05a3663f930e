package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM under load, on the service as a process of its own: streams are admitted (one runs, the others wait in
 * the scheduler's queue) when the signal comes. Health turns 503 and a new request is a 503 problem at once, while
 * every admitted stream ends with its final event, whose request id names a trace that is in the H2 file after
 * the process exited. Seen failing on the code before the drain: after the signal, /health was refused at the
 * socket (ConnectException) and never answered 503.
 */
// Its time is spent in a service JVM of its own, so it runs beside the other test classes.
@Execution(ExecutionMode.CONCURRENT)
class GracefulShutdownTest {

    /** Run one at a time (a batch of one), so that the admitted streams take seconds to drain. */
    private static final int STREAMS = 12;
    private static final int NEW_TOKENS = 48;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void sigtermUnderLoadAnswersWhatWasAdmittedKeepsItsTracesAndRefusesNewRequests() throws Exception {
        Path traces = dir.resolve("traces");
        try (ServiceProcess service = ServiceProcess.start(List.of(),
                List.of("--dcp.model=" + TestModels.randomGpt2Package(), "--dcp.max-batch=1",
                        "--spring.datasource.url=" + TestDatabases.h2File(traces)))) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://localhost:" + service.port();
            List<CompletableFuture<HttpResponse<Stream<String>>>> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                streams.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/generate_stream"))
                        .header("Content-Type", "application/json").timeout(TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": \"stream " + i + " of the load\","
                                + " \"parameters\": {\"max_new_tokens\": " + NEW_TOKENS + ", \"seed\": " + i
                                + ", \"temperature\": 1.0}}")).build(), HttpResponse.BodyHandlers.ofLines()));
            }
            HttpClientSupport http = new HttpClientSupport(service.port(), null, Duration.ofSeconds(10));
            // Admitted: one stream runs, the others wait in the queue (a batch of one).
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (queued(http) < STREAMS - 1) {
                assertThat(System.nanoTime()).as("all streams queued").isLessThan(deadline);
                Thread.sleep(5);
            }
            service.terminate();
            // The signal takes a moment to reach the JVM's shutdown hook: from then on health is not UP.
            while (http.get("/health").statusCode() == 200) {
                assertThat(System.nanoTime()).as("health turned 503").isLessThan(deadline);
                Thread.sleep(5);
            }
            ProblemAssertions.assertProblem(http.postJson("/generate", "{\"inputs\": \"too late\"}"), 503,
                    "shutting down");

            List<String> acknowledged = new ArrayList<>();
            for (CompletableFuture<HttpResponse<Stream<String>>> stream : streams) {
                HttpResponse<Stream<String>> response = stream.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                List<JsonNode> events = response.body().filter(line -> line.startsWith("data:"))
                        .map(line -> HttpClientSupport.json(line.substring(5))).toList();
                JsonNode last = events.getLast();
                assertThat(last.has("error")).as(last + "\n" + service.log()).isFalse();
                assertThat(last.get("generated_text").isString()).isTrue();
                acknowledged.add(last.get("request_id").asString());
            }
            assertThat(service.awaitExit(TIMEOUT)).as(service.log()).isTrue();
            assertThat(service.log()).contains("Every generation in flight was answered");
            assertThat(storedTraces(traces, acknowledged)).as("every acknowledged trace survived the stop")
                    .isEqualTo(STREAMS);
        }
    }

    /** The scheduler's queue length, from the Prometheus metrics. */
    private static int queued(HttpClientSupport http) {
        for (String line : http.get("/metrics").body().split("\n")) {
            if (line.startsWith("dcp_scheduler_queued ")) {
                return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no dcp_scheduler_queued metric");
    }

    private static int storedTraces(Path traces, List<String> requestIds) throws Exception {
        try (Connection db = DriverManager.getConnection(TestDatabases.h2File(traces), "sa", "");
             PreparedStatement count = db.prepareStatement("select count(*) from trace where request_id = ?")) {
            int found = 0;
            for (String id : requestIds) {
                count.setObject(1, java.util.UUID.fromString(id));
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    found += row.getInt(1);
                }
            }
            return found;
        }
    }
}
