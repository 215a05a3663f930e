package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.server.generate.GenerateParameters;
import org.dcpserve.server.generate.GenerateRequest;
import org.dcpserve.server.generate.GenerationService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The service on a Hugging Face directory in Qwen3's layout (random weights) with the real Qwen3 tokenizer, chat
 * template and generation config: a chat request is fed exactly the prompt ids of transformers.js's
 * apply_chat_template (@huggingface/jinja, then tokenizers.js, run in Node), the generation config gives the
 * sampling defaults, and /info and /v1/models say what is served. Skipped, saying
 * why, without npm or the npm registry.
 */
class Qwen3ChatServiceTest extends RunningServiceTest {

    private static final int MAX_CONTEXT = 128;
    private static final String MODEL = "qwen3-chat";

    @Autowired
    GenerationService generation;

    @BeforeAll
    static void tokenizerFiles() {
        HuggingFaceChatModels.requireTokenizer("qwen3");
    }

    @DynamicPropertySource
    static void qwen3Directory(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> HuggingFaceChatModels.qwen3().toString());
        registry.add("dcp.max-context", () -> MAX_CONTEXT);
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("qwen3-chat"));
    }

    @Test
    void aChatIsFedExactlyTheReferencePromptIds() {
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "You answer in one short sentence."),
                Map.of("role", "user", "content", "What is the capital of France?"),
                Map.of("role", "assistant", "content", "Paris."),
                Map.of("role", "user", "content", "And of Italy? Say <|im_end|> too."));
        JsonNode reference = HuggingFaceChatModels.referencePrompt("qwen3", messages);
        // The messages as a client sends them: one content as text parts, which are joined.
        String body = """
                {"model": "%s", "max_tokens": 4, "temperature": 0, "messages": [
                  {"role": "system", "content": "You answer in one short sentence."},
                  {"role": "user", "content": [{"type": "text", "text": "What is the capital "}, {"type": "text", "text": "of France?"}]},
                  {"role": "assistant", "content": "Paris."},
                  {"role": "user", "content": "And of Italy? Say <|im_end|> too."}]}""".formatted(MODEL);
        HttpResponse<String> response = http.postJson("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode chat = HttpClientSupport.json(response);
        JsonNode trace = http.explainOk(chat.get("request_id").asString());

        List<Integer> expected = HuggingFaceChatModels.ids(reference.get("ids"));
        assertThat(trace.get("prompt").asString()).isEqualTo(reference.get("text").asString())
                .startsWith("<|im_start|>system\nYou answer").endsWith("<|im_start|>assistant\n");
        assertThat(HuggingFaceChatModels.promptIds(trace)).isEqualTo(expected);
        assertThat(chat.get("usage").get("prompt_tokens").asInt()).isEqualTo(expected.size());
        assertThat(expected).contains(151644, 151645); // <|im_start|>, <|im_end|>: special tokens, not their text
    }

    @Test
    void aStreamedChatIsTheSameReplyAsAWholeOne() {
        String request = "{\"model\": \"" + MODEL + "\", \"max_tokens\": 6, \"temperature\": 0, \"messages\":"
                + " [{\"role\": \"user\", \"content\": \"Hi\"}]";
        HttpResponse<String> whole = http.postJson("/v1/chat/completions", request + "}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        String reply = HttpClientSupport.json(whole).get("choices").get(0).get("message").get("content").asString();
        HttpResponse<String> streamed = http.postJson("/v1/chat/completions", request + ", \"stream\": true}");
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        List<String> data = streamed.body().lines().filter(line -> line.startsWith("data:"))
                .map(line -> line.substring(5).strip()).toList();
        assertThat(data.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode content = HttpClientSupport.json(event).get("choices").get(0).get("delta").get("content");
            text.append(content == null || content.isNull() ? "" : content.asString());
        }
        assertThat(text.toString()).isEqualTo(reply);
    }

    @Test
    void theGenerationConfigGivesTheSamplingDefaultsARequestDoesNotOverride() {
        assertThat(sampling(GenerateParameters.builder().seed(1L).build()))
                .isEqualTo(new SamplingParams(0.6f, 20, 0.95f, 1L, 1f, 0f, 0f, 1f));
        assertThat(sampling(GenerateParameters.builder().seed(1L).temperature(0.9f).topK(5).topP(0.5f).build()))
                .isEqualTo(new SamplingParams(0.9f, 5, 0.5f, 1L, 1f, 0f, 0f, 1f));
        assertThat(sampling(GenerateParameters.builder().doSample(false).build()).isGreedy()).isTrue();
        // Over HTTP: a TGI request without parameters samples (details carry a seed), as the model's do_sample says.
        HttpResponse<String> tgi = http.postJson("/generate", "{\"inputs\": \"Hello\", \"parameters\": {\"details\": true,"
                + " \"max_new_tokens\": 2}}");
        assertThat(tgi.statusCode()).as(tgi.body()).isEqualTo(200);
        assertThat(HttpClientSupport.json(tgi).get("details").get("seed").isNull()).isFalse();
    }

    @Test
    void infoAndModelsReportTheDirectoryTheStoredDtypeAndTheContextServed() {
        JsonNode info = http.json200("/info");
        assertThat(info.get("model_id").asString()).isEqualTo(MODEL);
        assertThat(info.get("model_dtype").asString()).isEqualTo("bfloat16");
        assertThat(info.get("compute_dtype").asString()).isEqualTo("float32");
        assertThat(info.get("max_total_tokens").asInt()).isEqualTo(MAX_CONTEXT);
        assertThat(info.get("max_input_tokens").asInt()).isEqualTo(MAX_CONTEXT - 1);
        assertThat(info.get("source").asString()).isEqualTo("hugging_face_llama");
        JsonNode model = http.json200("/v1/models").get("data").get(0);
        assertThat(model.get("id").asString()).isEqualTo(MODEL);
        assertThat(model.get("max_model_len").asInt()).isEqualTo(MAX_CONTEXT);
        assertThat(model.get("model_dtype").asString()).isEqualTo("bfloat16");
    }

    private SamplingParams sampling(GenerateParameters parameters) {
        return generation.prepare(new GenerateRequest("Hello", parameters)).request().sampling();
    }
}
