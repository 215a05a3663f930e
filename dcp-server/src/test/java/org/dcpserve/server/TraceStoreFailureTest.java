package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.UUID;
import org.dcpserve.core.generate.FinishReason;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.pruning.PruningReport;
import org.dcpserve.server.trace.TraceRecorder;
import org.dcpserve.server.trace.TraceStoreException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The trace store fails under a running service, on a real PostgreSQL of this class's own. First the database
 * goes away: it is stopped, then started again on the same data and port. Meanwhile a generation is answered 503
 * (its trace could not be stored) within the client's timeout, and /health and /actuator/health are 503 with the
 * db component DOWN; once PostgreSQL is back the service is UP again without a restart and the trace acknowledged
 * before the outage is still there (seen failing on the code before: /health answered 200 throughout the outage).
 * Last, an Error in the trace writer's thread: it fails its trace at once, refuses every later traced request with
 * a 503 before it runs, and turns the traceWriter component DOWN for good (seen failing on the code before: the
 * caller waited forever).
 */
@ActiveProfiles("postgres")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TraceStoreFailureTest extends RunningServiceTest {

    /** Far past the connection timeout, which bounds how long a trace write or a health check waits. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Path dataDirectory;
    private static int databasePort;
    private static EmbeddedPostgres postgres;

    @DynamicPropertySource
    static void stoppablePostgres(DynamicPropertyRegistry registry) throws IOException, SQLException {
        dataDirectory = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-databases")),
                "outage-");
        try (ServerSocket free = new ServerSocket(0)) {
            databasePort = free.getLocalPort();
        }
        postgres = start();
        String url = PostgresServiceTest.EmbeddedDatabase.createDcpDatabase(postgres);
        registry.add("DCP_DB_URL", () -> url);
        registry.add("dcp.model", () -> TestModels.randomGpt2Package().toString());
        // 1 s instead of the shipped 5 s, so the outage costs the test seconds, not tens of them.
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                    .setPort(databasePort).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    @Autowired
    TraceRecorder recorder;

    @Test
    @Order(1)
    void anUnreachableTraceDatabaseFailsRequestsWith503AndHealthDownUntilItIsBack() throws Exception {
        HttpClientSupport client = new HttpClientSupport(port, null, TIMEOUT);
        String before = client.generateOk("before the outage", 4, 1, "").get("request_id").asString();

        postgres.close();
        ProblemAssertions.assertProblem(client.postJson("/generate", "{\"inputs\": \"during the outage\"}"), 503,
                "drop trace could not be stored");
        ProblemAssertions.assertProblem(client.get("/health"), 503, "the service is DOWN");
        HttpResponse<String> actuator = client.get("/actuator/health");
        assertThat(actuator.statusCode()).isEqualTo(503);
        JsonNode components = HttpClientSupport.json(actuator).get("components");
        assertThat(components.get("db").get("status").asString()).isEqualTo("DOWN");
        assertThat(components.get("stepLoop").get("status").asString()).isEqualTo("UP");

        postgres = start();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (client.get("/health").statusCode() != 200) {
            assertThat(System.nanoTime()).as("UP again once PostgreSQL is back").isLessThan(deadline);
            Thread.sleep(200);
        }
        String after = client.generateOk("after the outage", 4, 2, "").get("request_id").asString();
        assertThat(client.explainOk(before).get("request_id").asString()).isEqualTo(before);
        assertThat(client.explainOk(after).get("request_id").asString()).isEqualTo(after);
    }

    @Test
    @Order(2)
    void anErrorInTheTraceWriterFailsItsTraceAndEveryLaterOneAndTurnsHealthDown() {
        HttpClientSupport client = new HttpClientSupport(port, null, TIMEOUT);
        OutOfMemoryError injected = new OutOfMemoryError("injected into the trace writer");
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> recorder.record(UUID.randomUUID(), null, "a poisoned trace", poisoned(injected))))
                .isInstanceOf(TraceStoreException.class).hasRootCause(injected);
        assertThat(recorder.failure()).isSameAs(injected);

        ProblemAssertions.assertProblem(client.postJson("/generate", "{\"inputs\": \"after the writer failed\"}"),
                503, "the trace writer failed");
        assertThat(client.postJson("/generate", "{\"inputs\": \"untraced\", \"parameters\": {\"trace\": false}}")
                .statusCode()).as("an untraced request needs no writer").isEqualTo(200);
        ProblemAssertions.assertProblem(client.get("/health"), 503, "the service is DOWN");
        JsonNode components = HttpClientSupport.json(client.get("/actuator/health")).get("components");
        assertThat(components.get("traceWriter").get("status").asString()).isEqualTo("DOWN");
        assertThat(components.get("db").get("status").asString()).isEqualTo("UP");
    }

    /**
     * A generation whose generated tokens throw {@code error} when the writer reads them into rows: the seam is the
     * data, as a trace too large for the heap would fail there.
     */
    private static Generation poisoned(Error error) {
        List<GeneratedToken> tokens = new AbstractList<>() {
            @Override
            public GeneratedToken get(int index) {
                throw error;
            }

            @Override
            public int size() {
                return 1;
            }
        };
        return new Generation("", List.of(), tokens, FinishReason.LENGTH, 0, new Generation.Timings(0, 0),
                new PruningReport("dense", List.of(), 0, 0, 0, List.of()), null);
    }
}
