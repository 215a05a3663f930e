package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import jakarta.persistence.EntityManagerFactory;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Drop traces end to end over HTTP on H2 (file), with a model whose random DCP gates really drop tokens. */
class ExplainApiTest extends GatedModelServiceTest {

    static final String PROMPT = "The quick brown fox jumps over the lazy dog, and then it runs far away";

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

        JsonNode explained = TraceAssertions.assertExplained(http, generated, PROMPT);
        assertThat(explained.get("model").asString()).isEqualTo(MODEL);
        assertThat(TraceAssertions.dropCount(explained)).isGreaterThan(20);
    }

    @Test
    void aStreamedGenerationIsExplainableOnceItsFinalEventArrives() {
        HttpResponse<String> response = http.postJson("/generate_stream", "{\"inputs\": \"" + PROMPT + "\","
                + " \"parameters\": {\"details\": true, \"max_new_tokens\": 12, \"temperature\": 1.0, \"seed\": 9}}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode last = HttpClientSupport.events(response).getLast();
        assertThat(last.has("error")).as(last.toString()).isFalse();
        assertThat(last.get("details").get("pruning").get("layers")).hasSize(2);
        TraceAssertions.assertExplained(http, last, PROMPT);
    }

    @Test
    void pruningFalseRunsTheGatedModelDensely() {
        JsonNode generated = generate(PROMPT, 10, ", \"pruning\": false");
        JsonNode pruning = generated.get("details").get("pruning");
        assertThat(pruning.get("policy").asString()).isEqualTo("dense");
        assertThat(pruning.get("sparsity").asDouble()).isZero();
        pruning.get("layers").forEach(layer -> assertThat(layer.get("dropped").asInt()).isZero());

        JsonNode explained = TraceAssertions.assertExplained(http, generated, PROMPT);
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
        http.explainOk(generated.get("request_id").asString());
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
            JsonNode last = HttpClientSupport.events(stream).getLast();
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
}
