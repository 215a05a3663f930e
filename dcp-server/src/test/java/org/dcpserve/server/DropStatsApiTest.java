package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * GET /explain/stats on H2: after N generations (TGI and OpenAI routes, streamed too), it equals a recount. The
 * service is shared with the other gated-model tests, whose traces the recount counts too.
 */
class DropStatsApiTest extends GatedModelServiceTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void statsAfterSeveralGenerationsEqualARecountFromTheStoredTraces() {
        long before = requests();
        for (int i = 0; i < 5; i++) {
            http.generateOk(ExplainApiTest.PROMPT, 10 + 4 * i, i, "");
        }
        http.postJson("/generate_stream", "{\"inputs\": \"a streamed prompt\", \"parameters\": {\"max_new_tokens\": 9}}");
        http.postJson("/v1/completions", "{\"model\": \"" + MODEL + "\", \"prompt\": \"an OpenAI prompt\","
                + " \"max_tokens\": 7}");
        http.postJson("/generate", "{\"inputs\": \"dense\", \"parameters\": {\"max_new_tokens\": 5, \"pruning\": false}}");
        StatsRecount.assertStatsEqualRecount(http, jdbc, MODEL);
        assertThat(requests()).as("the 8 requests above").isEqualTo(before + 8);
    }

    @Test
    void badFiltersAre422AndAnUnknownModelHasNoStats() {
        assertProblem(http.get("/explain/stats?limit=0"), 422, "'limit' must be at least 1");
        assertProblem(http.get("/explain/stats?min_count=0"), 422, "'min_count' must be at least 1");
        assertProblem(http.get("/explain/stats?layer=x"), 400, "'layer' must be an integer");
        JsonNode none = http.json200("/explain/stats?model=nothing");
        assertThat(none.get("requests").asLong()).isZero();
        assertThat(none.get("top_dropped")).isEmpty();
    }

    private long requests() {
        return http.json200("/explain/stats").get("requests").asLong();
    }
}
