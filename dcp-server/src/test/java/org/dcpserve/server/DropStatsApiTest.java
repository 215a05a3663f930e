package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** GET /explain/stats on H2: after N generations (TGI and OpenAI routes, streamed too), it equals a recount. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DropStatsApiTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGatedGpt2Package().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("drop-stats"));
    }

    @Value("${local.server.port}")
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void statsAfterSeveralGenerationsEqualARecountFromTheStoredTraces() {
        HttpClientSupport http = new HttpClientSupport(port);
        JsonNode empty = http.json200("/explain/stats");
        assertThat(empty.get("requests").asLong()).isZero();
        assertThat(empty.get("top_dropped")).isEmpty();

        for (int i = 0; i < 5; i++) {
            http.generateOk(ExplainApiTest.PROMPT, 10 + 4 * i, i, "");
        }
        http.postJson("/generate_stream", "{\"inputs\": \"a streamed prompt\", \"parameters\": {\"max_new_tokens\": 9}}");
        http.postJson("/v1/completions", "{\"model\": \"random-gated-gpt2\", \"prompt\": \"an OpenAI prompt\","
                + " \"max_tokens\": 7}");
        http.postJson("/generate", "{\"inputs\": \"dense\", \"parameters\": {\"max_new_tokens\": 5, \"pruning\": false}}");
        StatsRecount.assertStatsEqualRecount(http, jdbc, "random-gated-gpt2");
        assertThat(http.json200("/explain/stats").get("requests").asLong()).isEqualTo(8);
    }

    @Test
    void badFiltersAre422AndAnUnknownModelHasNoStats() {
        HttpClientSupport http = new HttpClientSupport(port);
        ExplainApiTest.assertProblem(http.get("/explain/stats?limit=0"), 422, "'limit' must be at least 1");
        ExplainApiTest.assertProblem(http.get("/explain/stats?min_count=0"), 422, "'min_count' must be at least 1");
        ExplainApiTest.assertProblem(http.get("/explain/stats?layer=x"), 400, "'layer' must be an integer");
        assertThat(http.json200("/explain/stats?model=nothing").get("requests").asLong()).isZero();
    }
}
