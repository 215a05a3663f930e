package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.schedule.SequenceHandle;
import org.dcpserve.core.schedule.StepScheduler;
import org.dcpserve.server.security.ApiKeyStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * API keys on, over real HTTP through the whole Spring Security filter chain: who may call what, whose traces and
 * statistics a key sees, and the per-key rate limits (a 3 s period, so a test can wait it out). A service of its own:
 * no other test runs with keys on.
 */
class ApiKeyApiTest extends GatedModelServiceTest {

    static final String GENERATE = "{\"inputs\": \"" + ExplainApiTest.PROMPT + "\", \"parameters\": {\"max_new_tokens\": 8}}";

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("dcp.security.enabled", () -> "true");
        registry.add("dcp.security.rate-limit.period", () -> "3s");
        key(registry, 0, "alice", "key", "alice-key");
        // bob's configuration holds only the hash of his key.
        key(registry, 1, "bob", "sha256", ApiKeyStore.sha256("bob-key"));
        key(registry, 2, "root", "key", "root-key");
        registry.add("dcp.security.api-keys[2].role", () -> "admin");
        key(registry, 3, "limited", "key", "limited-key");
        registry.add("dcp.security.api-keys[3].requests", () -> "2");
        key(registry, 4, "thrifty", "key", "thrifty-key");
        registry.add("dcp.security.api-keys[4].tokens", () -> "20");
        key(registry, 5, "frugal", "key", "frugal-key");
        registry.add("dcp.security.api-keys[5].tokens", () -> "20");
    }

    private static void key(DynamicPropertyRegistry registry, int i, String name, String field, String value) {
        registry.add("dcp.security.api-keys[" + i + "].name", () -> name);
        registry.add("dcp.security.api-keys[" + i + "]." + field, () -> value);
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StepScheduler scheduler;

    /** A client that sends {@code key} ({@link #http} sends none). */
    HttpClientSupport as(String key) {
        return new HttpClientSupport(port, key);
    }

    @Test
    void withoutAKeyTheApiIs401WithABearerChallenge() {
        for (HttpResponse<String> response : List.of(http.postJson("/generate", GENERATE), http.postJson("/", GENERATE),
                http.get("/explain/stats"), http.get("/info"), http.get("/explain/7d0c8f8e-2b1f-4b4e-9a43-0f2d8d7c5e11"),
                http.get("/actuator/prometheus"))) {
            assertUnauthorized(response, "needs an API key");
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"dcp-serve\"");
        }
        HttpResponse<String> wrong = as("not-a-key").postJson("/generate", GENERATE);
        assertUnauthorized(wrong, "the API key is not valid");
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"dcp-serve\", error=\"invalid_token\"");
        assertThat(jdbc.queryForObject("select count(*) from trace where owner_key is null", Long.class)).isZero();
    }

    @Test
    void onV1TheRefusalIsInOpenAisShape() {
        String completion = "{\"model\": \"" + MODEL + "\", \"prompt\": \"hi\", \"max_tokens\": 3}";
        HttpResponse<String> response = http.postJson("/v1/completions", completion);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        JsonNode error = HttpClientSupport.json(response).get("error");
        assertThat(error.get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).contains("needs an API key");

        HttpResponse<String> ok = as("alice-key").postJson("/v1/completions", completion);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void healthThePagesAndTheApiDescriptionArePublic() {
        for (String path : List.of("/actuator/health", "/health", "/", "/index.html", "/explain.html", "/stats.html",
                "/app.js", "/app.css", "/favicon.ico", "/favicon.svg", "/swagger-ui/index.html", "/v3/api-docs")) {
            assertThat(http.get(path).statusCode()).as(path).isEqualTo(200);
            assertThat(http.head(path).statusCode()).as("HEAD " + path).isEqualTo(200);
        }
        assertThat(http.get("/favicon.ico").headers().firstValue("Content-Type").orElseThrow()).startsWith("image/");
        SecurityHeadersTest.assertSecurityHeaders(http.get("/"));
        SecurityHeadersTest.assertSecurityHeaders(http.get("/explain.html"));
        SecurityHeadersTest.assertSecurityHeaders(http.postJson("/generate", GENERATE));
    }

    @Test
    void theApiDescriptionDeclaresTheBearerSchemeForSwaggerUisAuthorizeButton() {
        JsonNode docs = HttpClientSupport.json(http.get("/v3/api-docs"));
        JsonNode scheme = docs.get("components").get("securitySchemes").get("api-key");
        assertThat(scheme.get("type").asString()).isEqualTo("http");
        assertThat(scheme.get("scheme").asString()).isEqualTo("bearer");
        assertThat(docs.get("security").get(0).has("api-key")).isTrue();
    }

    @Test
    void aTraceIsFoundByItsOwnerAndAdminsAndIsUnknownToOtherKeys() {
        String id = as("alice-key").generateOk(ExplainApiTest.PROMPT, 8, 1, "").get("request_id").asString();
        assertThat(jdbc.queryForObject("select owner_key from trace where request_id = ?", String.class,
                java.util.UUID.fromString(id))).isEqualTo("alice");
        JsonNode own = as("alice-key").explainOk(id);
        assertThat(as("root-key").explainOk(id)).isEqualTo(own);

        HttpResponse<String> other = as("bob-key").get("/explain/" + id);
        String unknownId = "7d0c8f8e-2b1f-4b4e-9a43-0f2d8d7c5e11";
        HttpResponse<String> unknown = as("bob-key").get("/explain/" + unknownId);
        assertProblem(other, 404, "no trace for request " + id);
        // Word for word the answer to an id that was never stored: nothing tells that the trace exists.
        assertThat(other.body().replace(id, unknownId)).isEqualTo(unknown.body());
        assertThat(other.headers().map().keySet()).isEqualTo(unknown.headers().map().keySet());

        // A streamed generation's trace (written from the stream's own thread) belongs to its key too.
        HttpResponse<String> stream = as("bob-key").postJson("/generate_stream", GENERATE);
        assertThat(stream.statusCode()).isEqualTo(200);
        String streamed = HttpClientSupport.events(stream).getLast().get("request_id").asString();
        as("bob-key").explainOk(streamed);
        assertThat(as("alice-key").get("/explain/" + streamed).statusCode()).isEqualTo(404);
        as("root-key").explainOk(streamed);
    }

    @Test
    void dropStatisticsArePerKeyAndAnAdminKeySeesThemAll() {
        for (int i = 0; i < 2; i++) {
            as("alice-key").generateOk(ExplainApiTest.PROMPT, 6 + i, i, "");
        }
        as("bob-key").generateOk("another prompt from bob", 9, 3, "");
        for (String owner : List.of("alice", "bob")) {
            JsonNode stats = as(owner + "-key").json200("/explain/stats?min_count=1&limit=200");
            assertThat(stats.get("requests").asLong()).isEqualTo(countTraces(" where owner_key = '" + owner + "'"));
            assertThat(stats.get("tokens").asLong()).isEqualTo(tokensFed(" and t.owner_key = '" + owner + "'"));
            assertThat(seen(stats)).isEqualTo(stats.get("tokens").asLong() * 2);
            for (JsonNode token : stats.get("top_dropped")) {
                for (JsonNode example : token.get("examples")) {
                    assertThat(jdbc.queryForObject("select owner_key from trace where request_id = ?", String.class,
                            java.util.UUID.fromString(example.asString()))).isEqualTo(owner);
                }
            }
        }
        JsonNode all = as("root-key").json200("/explain/stats?min_count=1&limit=200");
        assertThat(all.get("requests").asLong()).isEqualTo(countTraces(""));
        assertThat(all.get("tokens").asLong()).isEqualTo(tokensFed(""));
        assertThat(seen(all)).isEqualTo(all.get("tokens").asLong() * 2);
        assertThat(all.get("requests").asLong())
                .isGreaterThan(as("alice-key").json200("/explain/stats").get("requests").asLong());
    }

    @Test
    void aKeyOverItsRequestLimitGets429WithRetryAfterAndSucceedsAfterIt() throws InterruptedException {
        HttpClientSupport limited = as("limited-key");
        assertThat(limited.get("/info").statusCode()).isEqualTo(200);
        assertThat(limited.get("/info").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = limited.get("/info");
        long retryAfter = assertRateLimited(refused, "requests");
        // Other keys are not affected.
        assertThat(as("alice-key").get("/info").statusCode()).isEqualTo(200);
        Thread.sleep(retryAfter * 1000);
        assertThat(limited.get("/info").statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyOverItsTokenLimitGets429WithRetryAfterAndSucceedsAfterIt() throws InterruptedException {
        HttpClientSupport thrifty = as("thrifty-key");
        String fifteen = "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 15}}";
        assertThat(thrifty.postJson("/generate", fifteen).statusCode()).isEqualTo(200);
        long traces = countTraces("");
        long retryAfter = assertRateLimited(thrifty.postJson("/generate", fifteen), "new tokens");
        assertThat(countTraces("")).as("a refused generation leaves no trace").isEqualTo(traces);
        assertProblem(thrifty.postJson("/generate",
                "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 25}}"), 422, "at most 20 tokens per 3 s");
        Thread.sleep(retryAfter * 1000);
        assertThat(thrifty.postJson("/generate", fifteen).statusCode()).isEqualTo(200);
    }

    /**
     * The key is charged as the scheduler takes the generation, and given the tokens back when it refuses: three
     * refusals of 15 tokens each (a full queue) leave all 20 of a 20-token key. Seen failing on the code before, which
     * charged before queueing: the second refusal was already "has used its new tokens".
     */
    @Test
    void aRequestRefusedForAFullQueueCostsItsKeyNoTokens() throws Exception {
        BatchingApiTest.HoldingTask holder = new BatchingApiTest.HoldingTask(scheduler);
        SequenceHandle<String> held = scheduler.submit(holder);
        holder.awaitHolding();
        List<SequenceHandle<String>> queued = new ArrayList<>();
        HttpClientSupport frugal = as("frugal-key");
        String fifteen = "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 15}}";
        try {
            for (int i = 0; i < MAX_QUEUED; i++) {
                queued.add(scheduler.submit(new BatchingApiTest.HoldingTask(scheduler, 0)));
            }
            for (String path : List.of("/generate", "/generate_stream", "/generate")) {
                assertProblem(frugal.postJson(path, fifteen), 429, MAX_QUEUED + " requests are already waiting");
            }
        } finally {
            holder.release();
        }
        assertThat(held.result().get(30, TimeUnit.SECONDS)).isEqualTo("held");
        for (SequenceHandle<String> handle : queued) {
            assertThat(handle.result().get(30, TimeUnit.SECONDS)).isEqualTo("held");
        }
        assertThat(frugal.postJson("/generate", fifteen).statusCode()).isEqualTo(200);
        assertRateLimited(frugal.postJson("/generate", fifteen), "new tokens");
    }

    @Test
    void anAdminKeyAddsAndDeletesDatabaseKeys() {
        String body = "{\"name\": \"carol\", \"role\": \"user\"}";
        assertThat(as("alice-key").postJson("/admin/api-keys", body).statusCode()).isEqualTo(403);
        HttpResponse<String> created = as("root-key").postJson("/admin/api-keys", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = HttpClientSupport.json(created).get("key").asString();
        assertThat(jdbc.queryForObject("select key_sha256 from api_key where name = 'carol'", String.class))
                .isEqualTo(ApiKeyStore.sha256(key));
        assertThat(jdbc.queryForObject("select count(*) from api_key where key_sha256 = ?", Long.class, key)).isZero();

        String id = as(key).generateOk("carol's prompt", 5, 1, "").get("request_id").asString();
        as(key).explainOk(id);
        assertThat(as("alice-key").get("/explain/" + id).statusCode()).isEqualTo(404);

        assertThat(as("root-key").postJson("/admin/api-keys", body).statusCode()).isEqualTo(409);
        assertThat(as("root-key").postJson("/admin/api-keys", "{\"name\": \"alice\"}").statusCode()).isEqualTo(409);
        assertProblem(as("root-key").postJson("/admin/api-keys", "{\"name\": \"no spaces\"}"), 422,
                "letters, digits");
        assertThat(as("root-key").delete("/admin/api-keys/carol").statusCode()).isEqualTo(204);
        assertUnauthorized(as(key).get("/info"), "not valid");
        as("root-key").explainOk(id);
    }

    private long countTraces(String where) {
        return jdbc.queryForObject("select count(*) from trace" + where, Long.class);
    }

    /** Tokens fed through layer 0, over the traces the filter selects: the statistics' "tokens". */
    private long tokensFed(String ownerFilter) {
        return jdbc.queryForObject("select coalesce(sum(l.kept + l.dropped), 0) from trace_layer l join trace t on"
                + " t.request_id = l.request_id where l.layer = 0" + ownerFilter, Long.class);
    }

    private static long seen(JsonNode stats) {
        long seen = 0;
        for (JsonNode layer : stats.get("layers")) {
            seen += layer.get("seen").asLong();
        }
        return seen;
    }

    private static void assertUnauthorized(HttpResponse<String> response, String message) {
        assertProblem(response, 401, message);
        JsonNode problem = HttpClientSupport.json(response);
        assertThat(problem.get("error").asString()).contains(message);
        assertThat(problem.get("error_type").asString()).isEqualTo("authentication");
    }

    private static long assertRateLimited(HttpResponse<String> response, String what) {
        assertProblem(response, 429, "has used its " + what);
        assertThat(HttpClientSupport.json(response).get("error_type").asString()).isEqualTo("rate_limit");
        long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 3L);
        return retryAfter;
    }
}
