package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The trace round trip on a real PostgreSQL with the {@code postgres} profile: zonky's embedded PostgreSQL
 * 17 (it runs initdb under {@code unshare -U} when the build runs as root). The profile is configured
 * only through DCP_DB_URL, so its default user and password (dcp/dcp) are exercised too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
// Close the context after this class, while PostgreSQL (stopped by its JVM shutdown hook) is still up.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PostgresTraceTest extends RunningServiceTest {

    static final String PROMPT = "PostgreSQL keeps every drop of this prompt";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGatedGpt2Package().toString());
        registry.add("DCP_DB_URL", EmbeddedDatabase::url);
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void generateThenExplainRoundTrips() {
        JsonNode generated = generate(30, "");
        JsonNode explained = explain(generated.get("request_id").asString());
        TraceAssertions.assertExplains(explained, generated, PROMPT);
        assertThat(explained.get("policy").asString()).isEqualTo("dcp");
        assertThat(TraceAssertions.dropCount(explained)).isGreaterThan(20);
    }

    @Test
    void streamedAndDenseRequestsRoundTrip() {
        HttpResponse<String> stream = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\","
                + " \"parameters\": {\"details\": true, \"max_new_tokens\": 12, \"temperature\": 1.0, \"seed\": 2}}");
        List<JsonNode> events = ExplainApiTest.events(stream);
        JsonNode last = events.getLast();
        TraceAssertions.assertExplains(explain(last.get("request_id").asString()), last, PROMPT);

        JsonNode dense = generate(10, ", \"pruning\": false");
        JsonNode explained = explain(dense.get("request_id").asString());
        TraceAssertions.assertExplains(explained, dense, PROMPT);
        assertThat(TraceAssertions.dropCount(explained)).isZero();
    }

    @Test
    void aNulCharacterIsStoredAsTheReplacementCharacter() {
        // PostgreSQL text cannot hold NUL; GPT-2 encodes it as a byte token of its own.
        HttpResponse<String> response = http.postJson("/generate",
                "{\"inputs\": \"nul\\u0000byte\", \"parameters\": {\"details\": true, \"max_new_tokens\": 3}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode generated = HttpClientSupport.json(response);
        JsonNode explained = explain(generated.get("request_id").asString());
        assertThat(explained.get("prompt").asString()).isEqualTo("nul\uFFFDbyte");
        assertThat(explained.get("tokens").findValuesAsString("text")).contains("\uFFFD");
        TraceAssertions.assertExplains(explained, generated, "nul\uFFFDbyte");
    }

    @Test
    void dropStatsEqualARecountFromTheStoredTraces() {
        for (int i = 0; i < 4; i++) {
            http.generateOk(PROMPT, 8 + 5 * i, 20 + i, "");
        }
        http.postJson("/v1/chat/completions", "{\"model\": \"random-gated-gpt2\", \"messages\": [{\"role\":"
                + " \"user\", \"content\": \"hello\"}], \"max_tokens\": 6}");
        // Concurrent writers upsert the same rows: ON CONFLICT in key order neither loses counts nor deadlocks.
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofVirtual().start(() -> generate(10, "")));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        StatsRecount.assertStatsEqualRecount(http, jdbc, "random-gated-gpt2");
    }

    @Test
    void unknownRequestIdIs404() {
        UUID unknown = UUID.randomUUID();
        ExplainApiTest.assertProblem(http.get("/explain/" + unknown), 404, "no trace for request " + unknown);
    }

    private JsonNode generate(int maxNewTokens, String extraParameters) {
        return http.generateOk(PROMPT, maxNewTokens, 11, extraParameters);
    }

    private JsonNode explain(String requestId) {
        return http.explainOk(requestId);
    }

    /** One embedded PostgreSQL per test JVM, with a dcp database owned by a dcp user, as an operator would set up. */
    static final class EmbeddedDatabase {

        private static String url;

        static synchronized String url() {
            if (url == null) {
                try {
                    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                    try (Connection connection = postgres.getPostgresDatabase().getConnection();
                         Statement statement = connection.createStatement()) {
                        statement.execute("create role dcp login password 'dcp'");
                        statement.execute("create database dcp owner dcp");
                    }
                    url = postgres.getJdbcUrl("dcp", "dcp").replaceFirst("\\?.*", "");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create the dcp database", e);
                }
            }
            return url;
        }
    }
}
