package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Drop traces end to end over HTTP on H2 (file), with a model whose random DCP gates really drop tokens. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExplainApiTest extends RunningServiceTest {

    static final String PROMPT = "The quick brown fox jumps over the lazy dog, and then it runs far away";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGatedGpt2Package().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("explain-api"));
        registry.add("spring.jpa.properties.hibernate.generate_statistics", () -> "true");
    }

    @Autowired
    EntityManagerFactory entityManagerFactory;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void explainReturnsTheTraceOfAGenerationWithEveryDrop() {
        JsonNode generated = generate(PROMPT, 30, "");
        JsonNode pruning = generated.get("details").get("pruning");
        assertThat(pruning.get("policy").asString()).isEqualTo("dcp");
        assertThat(pruning.get("sparsity").asDouble()).isBetween(0.3, 0.8);
        assertThat(pruning.get("kv_cache_bytes").asLong()).isLessThan(pruning.get("dense_kv_cache_bytes").asLong());
        assertThat(pruning.has("drops")).as("drop events are only at /explain").isFalse();
        assertThat(generated.get("details").get("timings").get("trace_write_ms").asDouble()).isPositive();

        JsonNode explained = explain(generated.get("request_id").asString());
        TraceAssertions.assertExplains(explained, generated, PROMPT);
        assertThat(explained.get("model").asString()).isEqualTo("random-gated-gpt2");
        assertThat(TraceAssertions.dropCount(explained)).isGreaterThan(20);
    }

    @Test
    void aStreamedGenerationIsExplainableOnceItsFinalEventArrives() {
        HttpResponse<String> response = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\","
                + " \"parameters\": {\"details\": true, \"max_new_tokens\": 12, \"temperature\": 1.0, \"seed\": 9}}");
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = events(response);
        JsonNode last = events.getLast();
        assertThat(last.has("error")).as(last.toString()).isFalse();
        assertThat(last.get("details").get("pruning").get("layers")).hasSize(2);
        TraceAssertions.assertExplains(explain(last.get("request_id").asString()), last, PROMPT);
    }

    @Test
    void pruningFalseRunsTheGatedModelDensely() {
        JsonNode generated = generate(PROMPT, 10, ", \"pruning\": false");
        JsonNode pruning = generated.get("details").get("pruning");
        assertThat(pruning.get("policy").asString()).isEqualTo("dense");
        assertThat(pruning.get("sparsity").asDouble()).isZero();
        pruning.get("layers").forEach(layer -> assertThat(layer.get("dropped").asInt()).isZero());

        JsonNode explained = explain(generated.get("request_id").asString());
        TraceAssertions.assertExplains(explained, generated, PROMPT);
        assertThat(TraceAssertions.dropCount(explained)).isZero();
        explained.get("layers").forEach(layer -> assertThat(layer.get("kept_fraction").asDouble()).isEqualTo(1.0));
    }

    @Test
    void aTraceIsOneBatchedInsertPerTableAndReadsBackInFourQueries() {
        Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
        statistics.clear();
        JsonNode generated = generate(PROMPT, 30, "");
        // trace, trace_token, trace_layer, trace_drop: one statement each, no SELECT before the INSERT.
        assertThat(statistics.getPrepareStatementCount()).isEqualTo(4);
        assertThat(statistics.getEntityLoadCount()).isZero();

        statistics.clear();
        explain(generated.get("request_id").asString());
        // The trace, then each of its three collections once: no N+1, however many drops.
        assertThat(statistics.getPrepareStatementCount()).isEqualTo(4);
    }

    @Test
    void unknownRequestIdIs404() {
        UUID unknown = UUID.randomUUID();
        assertProblem(http.get("/explain/" + unknown), 404, "no trace for request " + unknown);
    }

    @Test
    void malformedRequestIdIs400() {
        assertProblem(http.get("/explain/not-a-uuid"), 400, "'request_id' must be a UUID");
    }

    @Test
    void aTraceThatCannotBeStoredFailsTheRequestWithoutAPartialTrace() {
        long before = countTraces();
        jdbc.execute("alter table trace_drop rename to trace_drop_away");
        try {
            assertProblem(http.postJson("/generate", "{\"inputs\": \"" + PROMPT + "\"}"), 503,
                    "drop trace could not be stored");
            HttpResponse<String> stream = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\"}");
            JsonNode last = events(stream).getLast();
            assertThat(last.get("error").asString()).contains("drop trace could not be stored");
            assertThat(last.has("request_id")).isFalse();
        } finally {
            jdbc.execute("alter table trace_drop_away rename to trace_drop");
        }
        assertThat(countTraces()).as("the failed transactions left nothing behind").isEqualTo(before);
    }

    @Test
    void explainIsDocumentedWithAnExample() {
        JsonNode operation = HttpClientSupport.json(http.get("/v3/api-docs")).get("paths")
                .get("/explain/{request_id}").get("get");
        JsonNode ok = operation.get("responses").get("200").get("content").get("application/json");
        assertThat(ok.get("examples").get("dcp").get("value").get("layers")).isNotEmpty();
        assertThat(operation.get("responses").has("404")).isTrue();
        assertThat(operation.get("responses").has("400")).isTrue();
        JsonNode schemas = HttpClientSupport.json(http.get("/v3/api-docs")).get("components").get("schemas");
        assertThat(schemas.get("GenerateParameters").get("properties").get("pruning").get("description").asString())
                .contains("false runs the model densely for comparison");
        // /generate's and /explain's nested records must not overwrite each other's schema.
        assertThat(schemas.get("Token").get("properties").has("logprob")).isTrue();
        // The documented schemas use the wire format's snake_case names.
        assertThat(schemas.get("PruningLayer").get("properties").has("kv_bytes")).isTrue();
        assertThat(schemas.get("GenerateParameters").get("properties").has("max_new_tokens")).isTrue();
        assertThat(schemas.has("ExplainedToken")).isTrue();
        assertThat(schemas.get("ExplainedLayer").get("properties").has("drops")).isTrue();
    }

    private long countTraces() {
        return jdbc.queryForObject("select count(*) from trace", Long.class);
    }

    private JsonNode generate(String prompt, int maxNewTokens, String extraParameters) {
        return http.generateOk(prompt, maxNewTokens, 7, extraParameters);
    }

    private JsonNode explain(String requestId) {
        return http.explainOk(requestId);
    }

    static List<JsonNode> events(HttpResponse<String> response) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data:")) {
                events.add(HttpClientSupport.json(line.substring(5)));
            }
        }
        return events;
    }

    static void assertProblem(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = HttpClientSupport.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).contains(message);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at org.");
    }
}
