package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The trace round trip on a real PostgreSQL, with the random gated GPT-2, so that traces have many drops. */
class PostgresTraceTest extends PostgresServiceTest {

    static final String MODEL = "random-gated-gpt2";
    static final String PROMPT = "PostgreSQL keeps every drop of this prompt";

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGatedGpt2Package().toString());
    }

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void generateThenExplainRoundTrips() {
        JsonNode explained = TraceAssertions.assertExplained(http, generate(30, ""), PROMPT);
        assertThat(explained.get("policy").asString()).isEqualTo("dcp");
        assertThat(TraceAssertions.dropCount(explained)).isGreaterThan(20);
    }

    @Test
    void streamedAndDenseRequestsRoundTrip() {
        HttpResponse<String> stream = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\","
                + " \"parameters\": {\"details\": true, \"max_new_tokens\": 12, \"temperature\": 1.0, \"seed\": 2}}");
        TraceAssertions.assertExplained(http, HttpClientSupport.events(stream).getLast(), PROMPT);

        JsonNode explained = TraceAssertions.assertExplained(http, generate(10, ", \"pruning\": false"), PROMPT);
        assertThat(TraceAssertions.dropCount(explained)).isZero();
    }

    @Test
    void aNulCharacterIsStoredAsTheReplacementCharacter() {
        // PostgreSQL text cannot hold NUL; GPT-2 encodes it as a byte token of its own.
        HttpResponse<String> response = http.postJson("/generate",
                "{\"inputs\": \"nul\\u0000byte\", \"parameters\": {\"details\": true, \"max_new_tokens\": 3}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode generated = HttpClientSupport.json(response);
        JsonNode explained = http.explainOk(generated.get("request_id").asString());
        assertThat(explained.get("prompt").asString()).isEqualTo("nul\uFFFDbyte");
        assertThat(explained.get("tokens").findValuesAsString("text")).contains("\uFFFD");
        TraceAssertions.assertExplains(explained, generated, "nul\uFFFDbyte");
    }

    @Test
    void dropStatsEqualARecountFromTheStoredTraces() {
        for (int i = 0; i < 4; i++) {
            http.generateOk(PROMPT, 8 + 5 * i, 20 + i, "");
        }
        http.postJson("/v1/chat/completions", "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\":"
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
        StatsRecount.assertStatsEqualRecount(http, jdbc, MODEL);
    }

    @Test
    void unknownRequestIdIs404() {
        UUID unknown = UUID.randomUUID();
        assertProblem(http.get("/explain/" + unknown), 404, "no trace for request " + unknown);
    }

    private JsonNode generate(int maxNewTokens, String extraParameters) {
        return http.generateOk(PROMPT, maxNewTokens, 11, extraParameters);
    }
}
