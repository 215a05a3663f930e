package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Checks that a GET /explain response is the trace of a given POST /generate response. */
public final class TraceAssertions {

    private TraceAssertions() {
    }

    /**
     * GETs /explain for {@code generated}'s request id, asserts a 200 and that it is the trace of that generation
     * ({@link #assertExplains}), and returns it.
     */
    public static JsonNode assertExplained(HttpClientSupport http, JsonNode generated, String prompt) {
        JsonNode explained = http.explainOk(generated.get("request_id").asString());
        assertExplains(explained, generated, prompt);
        return explained;
    }

    /**
     * @param generated the /generate response (with details), or the final /generate_stream event
     * @param explained the /explain response for its request id
     */
    public static void assertExplains(JsonNode explained, JsonNode generated, String prompt) {
        JsonNode details = generated.get("details");
        int promptTokens = details.get("prompt_tokens").asInt();
        int generatedTokens = details.get("generated_tokens").asInt();
        // Every token but the last generated one went through the model.
        int fed = promptTokens + generatedTokens - 1;

        assertThat(explained.get("request_id").asString()).isEqualTo(generated.get("request_id").asString());
        assertThat(explained.get("prompt").asString()).isEqualTo(prompt);
        assertThat(explained.get("generated_text").asString()).isEqualTo(storable(generated.get("generated_text")));
        assertThat(explained.get("finish_reason").asString()).isEqualTo(details.get("finish_reason").asString());
        assertThat(explained.get("created_at").asString()).isNotBlank();
        assertThat(explained.get("tokens_fed").asInt()).isEqualTo(fed);

        JsonNode pruning = details.get("pruning");
        assertThat(explained.get("policy").asString()).isEqualTo(pruning.get("policy").asString());
        assertThat(explained.get("sparsity").asDouble()).isEqualTo(pruning.get("sparsity").asDouble());
        assertThat(explained.get("kv_cache_bytes").asLong()).isEqualTo(pruning.get("kv_cache_bytes").asLong());
        assertThat(explained.get("dense_kv_cache_bytes").asLong())
                .isEqualTo(pruning.get("dense_kv_cache_bytes").asLong());

        assertTokens(explained.get("tokens"), details, promptTokens);
        assertLayers(explained, pruning.get("layers"), promptTokens, fed);
    }

    private static void assertTokens(JsonNode tokens, JsonNode details, int promptTokens) {
        List<JsonNode> expected = new ArrayList<>();
        details.get("prefill").forEach(expected::add);
        details.get("tokens").forEach(expected::add);
        assertThat(tokens).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode token = tokens.get(i);
            assertThat(token.get("position").asInt()).isEqualTo(i);
            assertThat(token.get("id").asInt()).isEqualTo(expected.get(i).get("id").asInt());
            assertThat(token.get("text").asString()).isEqualTo(storable(expected.get(i).get("text")));
            assertThat(token.get("prompt").asBoolean()).isEqualTo(i < promptTokens);
        }
    }

    private static void assertLayers(JsonNode explained, JsonNode expectedLayers, int promptTokens, int fed) {
        JsonNode tokens = explained.get("tokens");
        JsonNode layers = explained.get("layers");
        assertThat(layers).hasSize(expectedLayers.size());
        for (int l = 0; l < layers.size(); l++) {
            JsonNode layer = layers.get(l);
            JsonNode expected = expectedLayers.get(l);
            assertThat(layer.get("layer").asInt()).isEqualTo(l);
            assertThat(layer.get("kept").asInt()).isEqualTo(expected.get("kept").asInt());
            assertThat(layer.get("dropped").asInt()).isEqualTo(expected.get("dropped").asInt());
            assertThat(layer.get("kept").asInt() + layer.get("dropped").asInt()).isEqualTo(fed);
            assertThat(layer.get("kept_fraction").asDouble())
                    .isCloseTo((double) layer.get("kept").asInt() / fed, org.assertj.core.data.Offset.offset(1e-12));
            JsonNode drops = layer.get("drops");
            assertThat(drops).hasSize(layer.get("dropped").asInt());
            Set<Integer> positions = new HashSet<>();
            for (JsonNode drop : drops) {
                int position = drop.get("position").asInt();
                int dropper = drop.get("dropper_position").asInt();
                int step = drop.get("step").asInt();
                assertThat(positions.add(position)).as("layer %d drops %d once", l, position).isTrue();
                assertThat(position).isLessThan(dropper);
                assertThat(dropper).isLessThan(fed);
                // Step 0 is the prefill (the prompt's tokens vote); decode step k feeds position prompt + k - 1.
                assertThat(step).isEqualTo(dropper < promptTokens ? 0 : dropper - promptTokens + 1);
                assertThat(drop.get("text").asString()).isEqualTo(tokens.get(position).get("text").asString());
                assertThat(drop.get("dropper_text").asString()).isEqualTo(tokens.get(dropper).get("text").asString());
            }
        }
    }

    /** Total drop events over all layers of an /explain response. */
    public static int dropCount(JsonNode explained) {
        int drops = 0;
        for (JsonNode layer : explained.get("layers")) {
            drops += layer.get("drops").size();
        }
        return drops;
    }

    /** The service stores NUL (which PostgreSQL text cannot hold) as U+FFFD. */
    private static String storable(JsonNode text) {
        return text.asString().replace('\0', '\uFFFD');
    }
}
