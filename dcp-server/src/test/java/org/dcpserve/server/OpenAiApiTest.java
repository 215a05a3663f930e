package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible API under /v1 over a real socket, on the random gated GPT-2 package. */
class OpenAiApiTest extends GatedModelServiceTest {

    @Test
    void modelsListsTheServedModel() {
        JsonNode models = HttpClientSupport.json(http.get("/v1/models"));
        assertThat(models.get("object").asString()).isEqualTo("list");
        assertThat(models.get("data").get(0).get("id").asString()).isEqualTo(MODEL);
        assertThat(models.get("data").get(0).get("object").asString()).isEqualTo("model");
        assertThat(http.get("/v1/models/" + MODEL).statusCode()).isEqualTo(200);
        assertOpenAiError(http.get("/v1/models/gpt-4"), 404, "The model 'gpt-4' does not exist", "not_found_error");
    }

    @Test
    void aCompletionHasUsageFinishReasonAndItsDropTrace() {
        HttpResponse<String> response = completion("\"max_tokens\": 6, \"temperature\": 0");
        JsonNode body = HttpClientSupport.json(response);
        assertThat(body.get("object").asString()).isEqualTo("text_completion");
        assertThat(body.get("model").asString()).isEqualTo(MODEL);
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("finish_reason").asString()).isIn("length", "stop");
        assertThat(choice.has("logprobs")).isTrue();
        JsonNode usage = body.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(4);
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
        String requestId = body.get("request_id").asString();
        assertThat(body.get("id").asString()).isEqualTo("cmpl-" + requestId);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(requestId);
        JsonNode trace = http.explainOk(requestId);
        assertThat(trace.get("prompt").asString()).isEqualTo("Once upon a time");
        assertThat(trace.get("policy").asString()).isEqualTo("dcp");
    }

    @Test
    void aStreamedCompletionIsTheSameTextEndingWithDone() {
        String greedy = HttpClientSupport.json(completion("\"max_tokens\": 8, \"temperature\": 0"))
                .get("choices").get(0).get("text").asString();
        HttpResponse<String> response = completion("\"max_tokens\": 8, \"temperature\": 0, \"stream\": true,"
                + " \"stream_options\": {\"include_usage\": true}");
        List<String> data = data(response);
        assertThat(data.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        JsonNode usage = null;
        String finish = null;
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode chunk = HttpClientSupport.json(event);
            assertThat(chunk.get("object").asString()).isEqualTo("text_completion");
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            text.append(chunk.get("choices").get(0).get("text").asString());
            if (!chunk.get("choices").get(0).get("finish_reason").isNull()) {
                finish = chunk.get("choices").get(0).get("finish_reason").asString();
            }
        }
        assertThat(text.toString()).isEqualTo(greedy);
        assertThat(finish).isIn("length", "stop");
        assertThat(usage).isNotNull();
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(4);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void aStopSequenceEndsTheTextAndIsCutFromIt() {
        String greedy = HttpClientSupport.json(completion("\"max_tokens\": 12, \"temperature\": 0"))
                .get("choices").get(0).get("text").asString();
        // A stop taken from the middle of the greedy text: the text ends just before it.
        String stop = greedy.substring(greedy.length() / 2, greedy.length() / 2 + 2);
        String expected = greedy.substring(0, greedy.indexOf(stop));
        JsonNode choice = HttpClientSupport.json(completion("\"max_tokens\": 12, \"temperature\": 0, \"stop\": "
                + json(stop))).get("choices").get(0);
        assertThat(choice.get("text").asString()).isEqualTo(expected);
        assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
        // Streamed, the stop is held back and cut too.
        StringBuilder streamed = new StringBuilder();
        List<String> data = data(completion("\"max_tokens\": 12, \"temperature\": 0, \"stream\": true, \"stop\": ["
                + json(stop) + "]"));
        data.subList(0, data.size() - 1).forEach(e -> streamed.append(HttpClientSupport.json(e).get("choices").get(0)
                .get("text").asString()));
        assertThat(streamed.toString()).isEqualTo(expected);
    }

    @Test
    void logprobsAndSeveralSeededChoices() {
        JsonNode body = HttpClientSupport.json(completion("\"max_tokens\": 4, \"temperature\": 1, \"seed\": 5,"
                + " \"n\": 2, \"logprobs\": 2"));
        JsonNode choices = body.get("choices");
        assertThat(choices).hasSize(2);
        assertThat(choices.get(0).get("request_id")).isNotEqualTo(choices.get(1).get("request_id"));
        JsonNode logprobs = choices.get(0).get("logprobs");
        assertThat(logprobs.get("tokens").size()).isEqualTo(logprobs.get("token_logprobs").size());
        assertThat(logprobs.get("top_logprobs").get(0).size()).isBetween(1, 2);
        assertThat(logprobs.get("text_offset").get(0).asInt()).isZero();
        JsonNode again = HttpClientSupport.json(completion("\"max_tokens\": 4, \"temperature\": 1, \"seed\": 5,"
                + " \"n\": 2, \"logprobs\": 2"));
        assertThat(again.get("choices").get(1).get("text")).isEqualTo(choices.get(1).get("text"));
        for (JsonNode choice : choices) {
            http.explainOk(choice.get("request_id").asString());
        }
    }

    @Test
    void chatCompletionsThroughTheTemplatePlainAndStreamed() {
        String messages = "\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hello\"}]}]";
        HttpResponse<String> response = chat(messages + ", \"max_tokens\": 6, \"temperature\": 0, \"logprobs\": true,"
                + " \"top_logprobs\": 2");
        JsonNode body = HttpClientSupport.json(response);
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
        String content = choice.get("message").get("content").asString();
        assertThat(content).doesNotStartWith(" ").doesNotContain("\nUser:");
        assertThat(choice.get("logprobs").get("content").get(0).get("top_logprobs")).hasSize(2);
        JsonNode trace = http.explainOk(body.get("request_id").asString());
        assertThat(trace.get("prompt").asString()).isEqualTo("Be brief.\n\nUser: Hello\nAssistant:");

        List<String> data = data(chat(messages + ", \"max_tokens\": 6, \"temperature\": 0, \"stream\": true"));
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode first = HttpClientSupport.json(data.getFirst());
        assertThat(first.get("object").asString()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asString()).isEqualTo("assistant");
        StringBuilder streamed = new StringBuilder();
        data.subList(0, data.size() - 1).forEach(e -> {
            JsonNode delta = HttpClientSupport.json(e).get("choices").get(0).get("delta");
            if (delta.hasNonNull("content")) {
                streamed.append(delta.get("content").asString());
            }
        });
        assertThat(streamed.toString()).isEqualTo(content);
    }

    @Test
    void errorsOnV1AreInOpenAisShapeWithOpenAisNames() {
        assertOpenAiError(completion("\"max_tokens\": 500"), 422, "max_tokens is 500", "invalid_request_error");
        assertThat(HttpClientSupport.json(completion("\"max_tokens\": 500")).get("error").get("message").asString())
                .doesNotContain("max_new_tokens").doesNotContain("truncate");
        assertOpenAiError(completion("\"temperature\": 3"), 422, "'temperature' must be in [0, 2]",
                "invalid_request_error");
        assertOpenAiError(http.postJson("/v1/completions", "{\"model\": \"" + MODEL + "\", \"prompt\": \"\"}"), 422,
                "'prompt' must be a non-empty prompt", "invalid_request_error");
        assertOpenAiError(http.postJson("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"x\"}"), 404,
                "The model 'nope' does not exist", "not_found_error");
        assertOpenAiError(http.postJson("/v1/completions", "{\"model\": "), 400, "the body is not valid JSON",
                "invalid_request_error");
        assertOpenAiError(chat("\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]"), 422,
                "'messages[0].role' must be system", "invalid_request_error");
        assertOpenAiError(chat("\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{}]"), 422,
                "tools (function calling) are not supported", "invalid_request_error");
        assertOpenAiError(http.get("/v1/nothing-here"), 404, "", "not_found_error");
        JsonNode unsupported = HttpClientSupport.json(completion("\"best_of\": 3"));
        assertThat(unsupported.get("error").get("code").asString()).isEqualTo("unsupported_parameter");
        assertThat(unsupported.get("error").get("param").asString()).isEqualTo("best_of");
    }

    private HttpResponse<String> completion(String fields) {
        return http.postJson("/v1/completions", "{\"model\": \"" + MODEL + "\", \"prompt\": \"Once upon a time\", "
                + fields + "}");
    }

    private HttpResponse<String> chat(String fields) {
        return http.postJson("/v1/chat/completions", "{\"model\": \"" + MODEL + "\", " + fields + "}");
    }

    private static List<String> data(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> data = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data:")) {
                data.add(line.substring(5).strip());
            }
        }
        return data;
    }

    private static String json(String text) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(text);
    }

    static void assertOpenAiError(HttpResponse<String> response, int status, String message, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        JsonNode error = HttpClientSupport.json(response).get("error");
        assertThat(error.get("message").asString()).contains(message);
        assertThat(error.get("type").asString()).isEqualTo(type);
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        assertThat(response.body()).doesNotContain("Exception");
    }
}
