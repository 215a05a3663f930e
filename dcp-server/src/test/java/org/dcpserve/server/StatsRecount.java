package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Recounts the drop statistics from the stored traces themselves (trace_token, trace_layer, trace_drop) and
 * checks GET /explain/stats against the recount.
 */
final class StatsRecount {

    private StatsRecount() {
    }

    static void assertStatsEqualRecount(HttpClientSupport http, JdbcTemplate jdbc, String model) {
        Map<String, Integer> fed = new HashMap<>();
        jdbc.query("select l.request_id, l.kept + l.dropped from trace_layer l join trace t on t.request_id ="
                + " l.request_id where t.model = ? and l.layer = 0", rs -> {
                    fed.put(rs.getString(1), rs.getInt(2));
                }, model);
        Map<String, Integer> layers = new HashMap<>();
        jdbc.query("select l.request_id, count(*) from trace_layer l join trace t on t.request_id = l.request_id"
                + " where t.model = ? group by l.request_id", rs -> {
                    layers.put(rs.getString(1), rs.getInt(2));
                }, model);
        Map<String, Integer> tokenAt = new HashMap<>();
        // seen[layer] and per token (over all layers): {seen, dropped}; buckets: {seen, dropped}.
        Map<Integer, long[]> perLayer = new TreeMap<>();
        Map<Integer, long[]> perToken = new HashMap<>();
        Map<Integer, long[]> positions = new TreeMap<>();
        Map<Integer, Long> lifetimes = new TreeMap<>();
        long[] tokens = {0};
        jdbc.query("select k.request_id, k.position, k.token_id from trace_token k join trace t on t.request_id ="
                + " k.request_id where t.model = ?", rs -> {
                    String id = rs.getString(1);
                    int position = rs.getInt(2);
                    int token = rs.getInt(3);
                    tokenAt.put(id + "/" + position, token);
                    if (position < fed.get(id)) {
                        tokens[0]++;
                        for (int layer = 0; layer < layers.get(id); layer++) {
                            perLayer.computeIfAbsent(layer, l -> new long[3])[0]++;
                        }
                        perToken.computeIfAbsent(token, t -> new long[2])[0] += layers.get(id);
                        positions.computeIfAbsent(bucket(position), b -> new long[2])[0] += layers.get(id);
                    }
                }, model);
        jdbc.query("select d.request_id, d.layer, d.position, d.dropper_position from trace_drop d join trace t on"
                + " t.request_id = d.request_id where t.model = ?", rs -> {
                    String id = rs.getString(1);
                    int position = rs.getInt(3);
                    int lifetime = rs.getInt(4) - position;
                    long[] layer = perLayer.get(rs.getInt(2));
                    layer[1]++;
                    layer[2] += lifetime;
                    perToken.get(tokenAt.get(id + "/" + position))[1]++;
                    positions.get(bucket(position))[1]++;
                    lifetimes.merge(bucket(lifetime), 1L, Long::sum);
                }, model);

        JsonNode stats = http.json200("/explain/stats?min_count=1&limit=200");
        assertThat(stats.get("model").asString()).isEqualTo(model);
        assertThat(stats.get("requests").asLong()).isEqualTo(fed.size());
        assertThat(stats.get("tokens").asLong()).isEqualTo(tokens[0]);
        assertThat(stats.get("layers")).hasSize(perLayer.size());
        for (JsonNode layer : stats.get("layers")) {
            long[] expected = perLayer.get(layer.get("layer").asInt());
            assertThat(layer.get("seen").asLong()).isEqualTo(expected[0]);
            assertThat(layer.get("dropped").asLong()).isEqualTo(expected[1]);
            assertThat(layer.get("sparsity").asDouble()).isCloseTo((double) expected[1] / expected[0], Offset.offset(1e-12));
            assertThat(layer.get("mean_lifetime").asDouble())
                    .isCloseTo(expected[1] == 0 ? 0 : (double) expected[2] / expected[1], Offset.offset(1e-9));
        }
        assertThat(stats.get("positions")).hasSize(positions.size());
        for (JsonNode bucket : stats.get("positions")) {
            long[] expected = positions.get(bucket(bucket.get("from").asInt()));
            assertThat(bucket.get("seen").asLong()).isEqualTo(expected[0]);
            assertThat(bucket.get("dropped").asLong()).isEqualTo(expected[1]);
        }
        assertThat(stats.get("lifetimes")).hasSize(lifetimes.size());
        for (JsonNode bucket : stats.get("lifetimes")) {
            assertThat(bucket.get("dropped").asLong()).isEqualTo(lifetimes.get(bucket(bucket.get("from").asInt())));
        }
        double maxRate = perToken.values().stream().mapToDouble(c -> (double) c[1] / c[0]).max().orElse(0);
        double minRate = perToken.values().stream().mapToDouble(c -> (double) c[1] / c[0]).min().orElse(0);
        assertThat(stats.get("top_dropped").get(0).get("drop_rate").asDouble()).isCloseTo(maxRate, Offset.offset(1e-12));
        assertThat(stats.get("top_kept").get(0).get("drop_rate").asDouble()).isCloseTo(minRate, Offset.offset(1e-12));
        for (String list : new String[] {"top_dropped", "top_kept"}) {
            assertThat(stats.get(list)).hasSize(Math.min(200, perToken.size()));
            for (JsonNode token : stats.get(list)) {
                long[] expected = perToken.get(token.get("token_id").asInt());
                assertThat(token.get("seen").asLong()).as(list + " " + token).isEqualTo(expected[0]);
                assertThat(token.get("dropped").asLong()).as(list + " " + token).isEqualTo(expected[1]);
                assertThat(token.get("examples")).isNotEmpty();
            }
        }
        // One layer alone: the same counts as that layer's row.
        JsonNode layer1 = http.json200("/explain/stats?min_count=1&layer=1");
        assertThat(layer1.get("layers")).hasSize(1);
        assertThat(layer1.get("layers").get(0).get("dropped").asLong()).isEqualTo(perLayer.get(1)[1]);
        assertThat(layer1.get("heatmap").get("layers")).hasSize(1);
    }

    private static int bucket(int value) {
        return value <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(value);
    }
}
