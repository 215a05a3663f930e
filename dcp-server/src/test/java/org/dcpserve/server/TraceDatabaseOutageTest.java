package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The trace database goes away mid-run: a real PostgreSQL of this class's own is stopped while the service runs,
 * then started again on the same data and port. Meanwhile a generation is answered 503 (its trace could not be
 * stored) within the client's timeout, and /health and /actuator/health are 503 with the db component DOWN; once
 * PostgreSQL is back the service is UP again without a restart and the trace acknowledged before the outage is
 * still there. Seen failing on the code before: /health answered 200 throughout the outage.
 */
@ActiveProfiles("postgres")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TraceDatabaseOutageTest extends RunningServiceTest {

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

    @Test
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
}
