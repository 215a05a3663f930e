package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** The HTTP API end to end over a real socket, on a small random GPT-2 package. */
class GenerateApiTest extends DenseModelServiceTest {

    @Test
    void generatesTheRequestedNumberOfTokensWithDetails() {
        HttpResponse<String> response = http.postJson("/generate",
                "{\"inputs\": \"The quick brown fox\", \"parameters\": {\"details\": true, \"max_new_tokens\": 12}}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = HttpClientSupport.json(response);
        assertThat(UUID.fromString(body.get("request_id").asString())).isNotNull();
        JsonNode details = body.get("details");
        assertThat(details.get("prompt_tokens").asInt()).isEqualTo(4);
        int generated = details.get("generated_tokens").asInt();
        assertThat(details.get("tokens")).hasSize(generated);
        assertThat(details.get("finish_reason").asString()).isIn("length", "eos_token");
        if (details.get("finish_reason").asString().equals("length")) {
            assertThat(generated).isEqualTo(12);
        }
        assertThat(details.get("timings").get("total_ms").asDouble()).isPositive();
        assertThat(details.get("prefill").get(1).get("text").asString()).isEqualTo(" quick");
        assertThat(details.get("timings").get("trace_write_ms").asDouble()).isPositive();
        JsonNode pruning = details.get("pruning");
        assertThat(pruning.get("policy").asString()).isEqualTo("dense");
        assertThat(pruning.get("sparsity").asDouble()).isZero();
        assertThat(pruning.get("kv_cache_bytes").asLong()).isEqualTo(pruning.get("dense_kv_cache_bytes").asLong());
        assertThat(pruning.get("layers")).hasSize(2);
        pruning.get("layers").forEach(layer -> {
            assertThat(layer.get("dropped").asInt()).isZero();
            assertThat(layer.get("kept").asInt()).isEqualTo(4 + generated - 1);
        });
        assertThat(pruning.has("drops")).isFalse();
        // A dense request is traced too: /explain has it at once.
        HttpResponse<String> explained = http.get("/explain/" + body.get("request_id").asString());
        assertThat(explained.statusCode()).isEqualTo(200);
        TraceAssertions.assertExplains(HttpClientSupport.json(explained), body, "The quick brown fox");
    }

    @Test
    void greedyIsDeterministicAndSeededSamplingReproducible() {
        String greedy = "{\"inputs\": \"Hello\", \"parameters\": {\"max_new_tokens\": 10, \"details\": false}}";
        JsonNode first = HttpClientSupport.json(http.postJson("/generate", greedy));
        assertThat(first.has("details")).isFalse();
        assertThat(HttpClientSupport.json(http.postJson("/generate", greedy)).get("generated_text"))
                .isEqualTo(first.get("generated_text"));

        String seeded = "{\"inputs\": \"Hello\", \"parameters\": {\"details\": true, \"max_new_tokens\": 10, \"temperature\": 1.3,"
                + " \"top_k\": 50, \"top_p\": 0.9, \"seed\": 77}}";
        JsonNode a = HttpClientSupport.json(http.postJson("/generate", seeded));
        JsonNode b = HttpClientSupport.json(http.postJson("/generate", seeded));
        assertThat(a.get("generated_text")).isEqualTo(b.get("generated_text"));
        assertThat(a.get("details").get("seed").asLong()).isEqualTo(77);
        assertThat(a.get("request_id")).isNotEqualTo(b.get("request_id"));
    }

    @Test
    void streamingSendsOneEventPerTokenThenTheWholeText() {
        HttpResponse<String> response = http.postJson("/generate_stream",
                "{\"inputs\": \"Once\", \"parameters\": {\"details\": true, \"max_new_tokens\": 8, \"temperature\": 1.0, \"seed\": 5}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<JsonNode> events = HttpClientSupport.events(response);
        JsonNode last = events.getLast();
        int generated = last.get("details").get("generated_tokens").asInt();
        // As TGI: one event per token, the last one also with the whole text and the details.
        assertThat(events).hasSize(generated);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < generated; i++) {
            JsonNode event = events.get(i);
            assertThat(event.get("index").asInt()).isEqualTo(i + 1);
            assertThat(event.get("token").get("id").asInt()).isEqualTo(last.get("details").get("tokens").get(i)
                    .get("id").asInt());
            assertThat(event.get("generated_text").isNull()).as("TGI: null until the last event").isEqualTo(i < generated - 1);
            text.append(event.get("text_delta").asString());
        }
        assertThat(text.toString()).isEqualTo(last.get("generated_text").asString());
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(last.get("request_id").asString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            empty inputs             | {"inputs": ""}                                                    | 422 | 'inputs' must be a non-empty prompt
            missing inputs           | {"parameters": {"max_new_tokens": 5}}                             | 422 | 'inputs' must be a non-empty prompt
            negative max_new_tokens  | {"inputs": "hi", "parameters": {"max_new_tokens": -3}}            | 422 | 'parameters.max_new_tokens' must be at least 1
            huge max_new_tokens      | {"inputs": "hi", "parameters": {"max_new_tokens": 100000000}}     | 422 | 'parameters.max_new_tokens' must be at most 100000
            more than the context    | {"inputs": "hi", "parameters": {"max_new_tokens": 64}}            | 422 | context length is 64
            negative temperature     | {"inputs": "hi", "parameters": {"temperature": -0.5}}             | 422 | 'parameters.temperature' must be >= 0
            top_p zero               | {"inputs": "hi", "parameters": {"top_p": 0}}                      | 422 | 'parameters.top_p' must be in (0, 1]
            top_p above one          | {"inputs": "hi", "parameters": {"top_p": 1.5}}                    | 422 | 'parameters.top_p' must be in (0, 1]
            malformed JSON           | {"inputs": "hi",                                                  | 400 | the body is not valid JSON
            wrong type               | {"inputs": "hi", "parameters": {"max_new_tokens": "ten"}}         | 400 | 'parameters.max_new_tokens' must be an integer (got a string)
            null stop sequence       | {"inputs": "hi", "parameters": {"stop": [null]}}                  | 422 | must not contain null
            unknown field            | {"inputs": "hi", "parameterz": {}}                                | 400 | unknown field 'parameterz'; known fields: inputs, parameters, stream
            pruning on a dense model | {"inputs": "hi", "parameters": {"pruning": true}}                 | 422 | this model has no DCP gates
            """)
    void badInputGetsAProblemDetailThatSaysWhatToFix(String name, String body, int status, String message) {
        assertProblem(http.postJson("/generate", body), status, message);
        assertProblem(http.postJson("/generate_stream", body), status, message);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedUnlessTruncated() {
        String prompt = "word ".repeat(TestModels.CONTEXT_LENGTH + 10);
        assertProblem(http.postJson("/generate", "{\"inputs\": \"" + prompt + "\"}"), 422, "shorten the prompt");
        HttpResponse<String> truncated = http.postJson("/generate",
                "{\"inputs\": \"" + prompt + "\", \"parameters\": {\"details\": true, \"truncate\": 20, \"max_new_tokens\": 4}}");
        assertThat(truncated.statusCode()).isEqualTo(200);
        assertThat(HttpClientSupport.json(truncated).get("details").get("prompt_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void wrongContentTypeIs415() {
        assertProblem(http.post("/generate", "text/plain", "hello"), 415, "not supported");
    }

    @Test
    void swaggerUiApiDocsHealthAndMetricsAreServed() {
        HttpResponse<String> ui = http.get("/swagger-ui/index.html");
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).containsIgnoringCase("swagger");
        JsonNode docs = HttpClientSupport.json(http.get("/v3/api-docs"));
        assertThat(docs.get("paths").has("/generate")).isTrue();
        assertThat(docs.get("paths").has("/generate_stream")).isTrue();
        assertThat(docs.get("info").get("title").asString()).isEqualTo("dcp-serve");
        assertThat(HttpClientSupport.json(http.get("/actuator/health")).get("status").asString()).isEqualTo("UP");
        http.postJson("/generate", "{\"inputs\": \"metrics\", \"parameters\": {\"details\": true, \"max_new_tokens\": 2}}");
        assertThat(http.get("/actuator/prometheus").body()).contains("dcp_generation_tokens_total")
                .contains("dcp_trace_write_seconds_count{model=\"random-gpt2\",outcome=\"stored\",policy=\"dense\"}")
                .contains("dcp_generation_sparsity_count{model=\"random-gpt2\",policy=\"dense\"}")
                .contains("dcp_generation_requests_total{model=\"random-gpt2\",policy=\"dense\"}");
        assertThat(HttpClientSupport.json(http.get("/info")).get("config").get("architecture").asString()).isEqualTo("gpt2");
    }
}
