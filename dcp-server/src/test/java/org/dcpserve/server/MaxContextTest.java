package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code dcp.max-context} below the model's own context length (64 positions for the random test model): the
 * service serves that many positions, reports them, and refuses a request past them.
 */
class MaxContextTest extends RunningServiceTest {

    private static final int MAX_CONTEXT = 24;

    @DynamicPropertySource
    static void cappedContext(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGpt2Package().toString());
        registry.add("dcp.max-context", () -> MAX_CONTEXT);
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("max-context"));
    }

    @Test
    void theServiceServesAtMostMaxContextPositions() {
        JsonNode info = HttpClientSupport.json(http.get("/info"));
        assertThat(info.get("max_total_tokens").asInt()).isEqualTo(MAX_CONTEXT);
        assertThat(http.generateOk("hello", MAX_CONTEXT - 3, 1, "").get("generated_text").asString()).isNotNull();
        assertProblem(http.postJson("/generate", "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 30}}"),
                422, "the model's context length is " + MAX_CONTEXT);
    }
}
