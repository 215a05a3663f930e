package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** Hugging Face TGI's wire format as TGI serves it, over a real socket, on a small random GPT-2 package. */
class TgiApiTest extends DenseModelServiceTest {

    /** Every TGI generate parameter, at its default or null. */
    static final String ALL_TGI_DEFAULTS = """
            {"best_of": null, "decoder_input_details": false, "details": false, "do_sample": false,
             "frequency_penalty": null, "grammar": null, "max_new_tokens": 5, "repetition_penalty": null,
             "return_full_text": false, "seed": null, "stop": [], "temperature": null, "top_k": null,
             "top_n_tokens": null, "top_p": null, "truncate": null, "typical_p": null, "watermark": false,
             "adapter_id": null}""";

    @Test
    void theRootAnswersAsTgiDoesWithAOneElementArray() {
        HttpResponse<String> response = http.postJson("/", "{\"inputs\": \"Hello there\", \"parameters\": "
                + ALL_TGI_DEFAULTS + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = HttpClientSupport.json(response);
        assertThat(body.isArray()).isTrue();
        assertThat(body).hasSize(1);
        String requestId = body.get(0).get("request_id").asString();
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(requestId);
        assertThat(body.get(0).has("details")).as("details defaults to false, as in TGI").isFalse();
        // Greedy on both routes: the same text.
        JsonNode direct = HttpClientSupport.json(http.postJson("/generate",
                "{\"inputs\": \"Hello there\", \"parameters\": {\"max_new_tokens\": 5}}"));
        assertThat(body.get(0).get("generated_text")).isEqualTo(direct.get("generated_text"));
        assertThat(http.get("/explain/" + requestId).statusCode()).isEqualTo(200);
    }

    @Test
    void theRootStreamsWhenAskedWithTheTokenInEveryEvent() {
        HttpResponse<String> response = http.postJson("/", "{\"inputs\": \"Hello there\", \"stream\": true,"
                + " \"parameters\": {\"max_new_tokens\": 6, \"details\": true, \"top_n_tokens\": 2}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<JsonNode> events = HttpClientSupport.events(response);
        JsonNode last = events.getLast();
        assertThat(events).hasSize(last.get("details").get("generated_tokens").asInt());
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertThat(event.get("index").asInt()).isEqualTo(i + 1);
            assertThat(event.get("token").get("text").isString()).isTrue();
            assertThat(event.get("token").has("special")).isTrue();
            assertThat(event.get("top_tokens")).hasSize(2);
            assertThat(event.get("generated_text").isNull()).isEqualTo(event != last);
            assertThat(event.has("details")).isTrue();
        }
        assertThat(last.get("details").get("finish_reason").asString()).isIn("length", "eos_token");
        assertThat(last.get("details").get("input_length").asInt()).isEqualTo(2);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(last.get("request_id").asString());
    }

    @Test
    void streamIsAcceptedOnTheFixedRoutesWhichAnswerAsTheirRouteSays() {
        HttpResponse<String> json = http.postJson("/generate", "{\"inputs\": \"hi\", \"stream\": true}");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(HttpClientSupport.json(json).has("generated_text")).isTrue();
        HttpResponse<String> sse = http.postJson("/generate_stream", "{\"inputs\": \"hi\", \"stream\": false}");
        assertThat(sse.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
    }

    @Test
    void returnFullTextPrependsThePrompt() {
        JsonNode plain = generate("{\"max_new_tokens\": 4}");
        JsonNode full = generate("{\"max_new_tokens\": 4, \"return_full_text\": true}");
        assertThat(full.get("generated_text").asString())
                .isEqualTo("Once upon a time" + plain.get("generated_text").asString());
    }

    @Test
    void decoderInputDetailsGivesThePromptsLogProbabilities() {
        JsonNode details = generate("{\"max_new_tokens\": 2, \"details\": true, \"decoder_input_details\": true}")
                .get("details");
        JsonNode prefill = details.get("prefill");
        assertThat(prefill).hasSize(4);
        assertThat(prefill.get(0).has("logprob")).as("the first token has no context").isFalse();
        for (int i = 1; i < prefill.size(); i++) {
            assertThat(prefill.get(i).get("logprob").asDouble()).isNegative();
        }
        JsonNode without = generate("{\"max_new_tokens\": 2, \"details\": true}").get("details");
        assertThat(without.get("prefill").get(1).has("logprob")).isFalse();
    }

    @Test
    void topNTokensListsTheMostLikelyTokensFirstTheGreedyChoiceAmongThem() {
        JsonNode details = generate("{\"max_new_tokens\": 3, \"details\": true, \"top_n_tokens\": 4}").get("details");
        JsonNode top = details.get("top_tokens");
        assertThat(top).hasSize(details.get("generated_tokens").asInt());
        for (int i = 0; i < top.size(); i++) {
            JsonNode alternatives = top.get(i);
            assertThat(alternatives).hasSize(4);
            for (int j = 1; j < alternatives.size(); j++) {
                assertThat(alternatives.get(j).get("logprob").asDouble())
                        .isLessThanOrEqualTo(alternatives.get(j - 1).get("logprob").asDouble());
            }
            // Greedy: the chosen token is the most likely one, with the same log-probability.
            JsonNode chosen = details.get("tokens").get(i);
            assertThat(alternatives.get(0).get("id").asInt()).isEqualTo(chosen.get("id").asInt());
            assertThat(alternatives.get(0).get("logprob").asDouble())
                    .isCloseTo(chosen.get("logprob").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void penaltiesAndTypicalSamplingAreAcceptedAndSeeded() {
        String parameters = "{\"max_new_tokens\": 8, \"temperature\": 1.0, \"seed\": 3, \"repetition_penalty\": 1.3,"
                + " \"frequency_penalty\": 0.5, \"typical_p\": 0.9, \"presence_penalty\": 0.2}";
        assertThat(generate(parameters).get("generated_text")).isEqualTo(generate(parameters).get("generated_text"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            best_of 2          | {"best_of": 2}                     | best_of 2 is not supported
            watermark          | {"watermark": true}                | watermark is not supported
            grammar            | {"grammar": {"type": "json", "value": {}}} | grammar (guided generation) is not supported
            adapter_id         | {"adapter_id": "my-lora"}          | adapter_id 'my-lora' is not supported
            repetition 0       | {"repetition_penalty": 0}          | 'parameters.repetition_penalty' must be > 0
            frequency 3        | {"frequency_penalty": 3}           | 'parameters.frequency_penalty' must be in [-2, 2]
            typical_p 0        | {"typical_p": 0}                   | 'parameters.typical_p' must be in (0, 1]
            top_n_tokens 50    | {"top_n_tokens": 50}               | 'parameters.top_n_tokens' must be at most 20
            """)
    void unsupportedOrInvalidParametersAre422WithTgiErrorMembers(String name, String parameters, String message) {
        for (String route : List.of("/", "/generate", "/generate_stream")) {
            HttpResponse<String> response = http.postJson(route, "{\"inputs\": \"hi\", \"parameters\": " + parameters
                    + "}");
            assertThat(response.statusCode()).as(route + " " + response.body()).isEqualTo(422);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode problem = HttpClientSupport.json(response);
            assertThat(problem.get("detail").asString()).contains(message);
            assertThat(problem.get("error").asString()).isEqualTo(problem.get("detail").asString());
            assertThat(problem.get("error_type").asString()).isEqualTo("validation");
        }
    }

    @Test
    void everyErrorCarriesTgiMembers() {
        JsonNode unreadable = HttpClientSupport.json(http.postJson("/generate", "{\"inputs\":"));
        assertThat(unreadable.get("status").asInt()).isEqualTo(400);
        assertThat(unreadable.get("error_type").asString()).isEqualTo("validation");
        JsonNode notFound = HttpClientSupport.json(http.get("/explain/" + java.util.UUID.randomUUID()));
        assertThat(notFound.get("error_type").asString()).isEqualTo("not_found");
        assertThat(notFound.get("error").asString()).startsWith("no trace for request");
        HttpResponse<String> wrongType = http.post("/generate", "text/plain", "hi");
        assertThat(HttpClientSupport.json(wrongType).get("error").asString()).isNotBlank();
    }

    @Test
    void infoHealthMetricsAndTokenizeAreTgis() {
        JsonNode info = HttpClientSupport.json(http.get("/info"));
        assertThat(info.get("model_id").asString()).isEqualTo("random-gpt2");
        assertThat(info.get("max_total_tokens").asInt()).isEqualTo(TestModels.CONTEXT_LENGTH);
        assertThat(info.get("max_input_tokens").asInt()).isEqualTo(TestModels.CONTEXT_LENGTH - 1);
        assertThat(info.get("version").asString()).isNotBlank();
        assertThat(info.get("max_best_of").asInt()).isEqualTo(1);
        assertThat(info.get("model_pipeline_tag").asString()).isEqualTo("text-generation");
        assertThat(info.get("config").get("architecture").asString()).isEqualTo("gpt2");

        HttpResponse<String> health = http.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEmpty();

        http.postJson("/generate", "{\"inputs\": \"metrics\", \"parameters\": {\"max_new_tokens\": 2}}");
        HttpResponse<String> metrics = http.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("dcp_generation_tokens_total{model=\"random-gpt2\",policy=\"dense\"}");

        HttpResponse<String> tokenized = http.postJson("/tokenize", "{\"inputs\": \"Hello world\"}");
        assertThat(tokenized.statusCode()).as(tokenized.body()).isEqualTo(200);
        JsonNode tokens = HttpClientSupport.json(tokenized);
        assertThat(tokens).hasSize(2);
        assertThat(tokens.get(0).get("text").asString()).isEqualTo("Hello");
        assertThat(tokens.get(0).get("start").asInt()).isZero();
        assertThat(tokens.get(1).get("start").asInt()).isEqualTo(5);
        assertThat(tokens.get(1).get("stop").asInt()).isEqualTo(11);
        assertThat(http.postJson("/tokenize", "{\"inputs\": \"\"}").statusCode()).isEqualTo(422);
    }

    @Test
    void theOpenApiDocumentValidatesAndCoversEveryRoute() {
        String document = http.get("/v3/api-docs").body();
        io.swagger.v3.parser.core.models.ParseOptions options = new io.swagger.v3.parser.core.models.ParseOptions();
        options.setResolve(true);
        io.swagger.v3.parser.core.models.SwaggerParseResult result =
                new io.swagger.v3.parser.OpenAPIV3Parser().readContents(document, null, options);
        assertThat(result.getMessages()).as("validation messages").isEmpty();
        assertThat(result.getOpenAPI().getPaths()).containsKeys("/", "/generate", "/generate_stream", "/info",
                "/health", "/metrics", "/tokenize", "/v1/completions", "/v1/chat/completions", "/v1/models",
                "/v1/models/{model}", "/explain/{request_id}", "/explain/stats");
        JsonNode docs = HttpClientSupport.json(document);
        JsonNode parameters = docs.get("components").get("schemas").get("GenerateParameters").get("properties");
        for (String name : List.of("return_full_text", "decoder_input_details", "top_n_tokens", "repetition_penalty",
                "frequency_penalty", "typical_p", "best_of", "watermark", "grammar", "adapter_id")) {
            assertThat(parameters.has(name)).as(name).isTrue();
        }
        assertThat(docs.get("paths").get("/explain/stats").get("get").get("parameters").findValuesAsString("name"))
                .contains("model", "layer", "min_count", "limit");
        // API keys are off here: every route is open, and the document declares no scheme.
        assertThat(docs.has("security")).isFalse();
        assertThat(docs.get("components").has("securitySchemes")).isFalse();
    }

    @Test
    void theRootStillServesThePlaygroundPage() {
        HttpResponse<String> page = http.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("generate-form");
    }

    private JsonNode generate(String parameters) {
        HttpResponse<String> response = http.postJson("/generate", "{\"inputs\": \"Once upon a time\", \"parameters\": "
                + parameters + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return HttpClientSupport.json(response);
    }
}
