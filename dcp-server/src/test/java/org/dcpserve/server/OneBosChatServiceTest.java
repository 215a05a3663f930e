package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The service on a model whose chat template writes {@code bos_token} itself: a chat prompt is the reference's to
 * the id (transformers.js's apply_chat_template, run in Node), with exactly one BOS, first.
 */
abstract class OneBosChatServiceTest extends RunningServiceTest {

    private final String tokenizer;
    private final String model;
    private final int bos;

    OneBosChatServiceTest(String tokenizer, String model, int bos) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.bos = bos;
    }

    @Test
    void aChatPromptHasExactlyOneBosAndTheReferenceIds() {
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "You are terse."),
                Map.of("role", "user", "content", "Hi!"),
                Map.of("role", "assistant", "content", "Hello."),
                Map.of("role", "user", "content", "Name a colour."));
        JsonNode reference = HuggingFaceChatModels.referencePrompt(tokenizer, messages);
        HttpResponse<String> response = http.postJson("/v1/chat/completions", """
                {"model": "%s", "max_tokens": 3, "messages": [
                  {"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi!"},
                  {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Name a colour."}]}"""
                .formatted(model));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode trace = http.explainOk(HttpClientSupport.json(response).get("request_id").asString());

        List<Integer> ids = HuggingFaceChatModels.promptIds(trace);
        assertThat(ids).isEqualTo(HuggingFaceChatModels.ids(reference.get("ids")));
        assertThat(ids.getFirst()).isEqualTo(bos);
        assertThat(ids.stream().filter(id -> id == bos).count()).isEqualTo(1);
    }
}
