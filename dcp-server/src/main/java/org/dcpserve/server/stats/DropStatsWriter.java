package org.dcpserve.server.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.pruning.PruningReport;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Adds one trace to the drop statistics, inside the transaction that stores the trace: per layer and token, the
 * times it was fed and dropped and how long it lived; per layer, the same by position bucket and a histogram of
 * lifetimes; all of it per owner (the API key that made the trace). Upserts in key order (so concurrent writers on PostgreSQL lock rows in the same order); PostgreSQL
 * through INSERT ... ON CONFLICT, H2 through MERGE (not safe against concurrent writers: the
 * recorder's single writer thread is the only one).
 */
@Component
public class DropStatsWriter {

    private final JdbcTemplate jdbc;
    private final boolean postgres;

    DropStatsWriter(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        String product = jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName());
        this.postgres = product != null && product.toLowerCase().contains("postgres");
    }

    /** Power-of-two buckets: 0 is [0, 1), b > 0 is [2^(b-1), 2^b). */
    public static int bucket(int value) {
        return value <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(value);
    }

    /** Lower bound of a bucket. */
    public static int bucketStart(int bucket) {
        return bucket == 0 ? 0 : 1 << (bucket - 1);
    }

    /**
     * Adds a stored trace's tokens and drops; texts as the trace stores them.
     *
     * @param owner the trace's API key name, or null when keys are off (stored as '', a key column cannot be null)
     */
    public void add(String model, String owner, Generation generation,
                    java.util.function.UnaryOperator<String> storable) {
        PruningReport pruning = generation.pruning();
        if (pruning.layers().isEmpty()) {
            return;
        }
        List<GeneratedToken> tokens = new ArrayList<>(generation.prompt());
        tokens.addAll(generation.tokens());
        int fed = pruning.layers().getFirst().kept() + pruning.layers().getFirst().dropped();
        int layers = pruning.layers().size();

        // (layer, token id) -> {seen, dropped, lifetime sum}; (layer, bucket) -> {seen, dropped}; (layer, bucket) -> n.
        Map<Long, long[]> perToken = new TreeMap<>();
        Map<Long, long[]> perPosition = new TreeMap<>();
        Map<Long, long[]> perLifetime = new TreeMap<>();
        Map<Integer, String> texts = new TreeMap<>();
        for (int layer = 0; layer < layers; layer++) {
            for (int p = 0; p < fed; p++) {
                GeneratedToken t = tokens.get(p);
                texts.putIfAbsent(t.id(), storable.apply(t.text()));
                perToken.computeIfAbsent(key(layer, t.id()), k -> new long[3])[0]++;
                perPosition.computeIfAbsent(key(layer, bucket(p)), k -> new long[2])[0]++;
            }
        }
        for (DropEvent drop : pruning.drops()) {
            int lifetime = drop.dropperPosition() - drop.position();
            long[] token = perToken.get(key(drop.layer(), tokens.get(drop.position()).id()));
            token[1]++;
            token[2] += lifetime;
            perPosition.get(key(drop.layer(), bucket(drop.position())))[1]++;
            perLifetime.computeIfAbsent(key(drop.layer(), bucket(lifetime)), k -> new long[1])[0]++;
        }

        String ownerKey = owner == null ? "" : owner;
        upsert("drop_stat_model", List.of("model", "owner_key"), List.of("requests", "tokens"), List.of(),
                List.<Object[]>of(new Object[] {model, ownerKey, 1L, (long) fed}));
        List<Object[]> rows = new ArrayList<>(perToken.size());
        perToken.forEach((k, v) -> rows.add(new Object[] {model, ownerKey, layer(k), (int) (k & 0xFFFFFFFFL),
                v[0], v[1], v[2], texts.get((int) (k & 0xFFFFFFFFL))}));
        upsert("drop_stat_token", List.of("model", "owner_key", "layer", "token_id"),
                List.of("seen", "dropped", "lifetime_sum"), List.of("text"), rows);
        List<Object[]> positions = new ArrayList<>(perPosition.size());
        perPosition.forEach((k, v) -> positions.add(new Object[] {model, ownerKey, layer(k), (int) (k & 0xFFFFFFFFL),
                v[0], v[1]}));
        upsert("drop_stat_position", List.of("model", "owner_key", "layer", "bucket"), List.of("seen", "dropped"),
                List.of(), positions);
        List<Object[]> lifetimes = new ArrayList<>(perLifetime.size());
        perLifetime.forEach((k, v) -> lifetimes.add(new Object[] {model, ownerKey, layer(k), (int) (k & 0xFFFFFFFFL),
                v[0]}));
        upsert("drop_stat_lifetime", List.of("model", "owner_key", "layer", "bucket"), List.of("dropped"), List.of(),
                lifetimes);
    }

    private static long key(int layer, int value) {
        return ((long) layer << 32) | (value & 0xFFFFFFFFL);
    }

    private static int layer(long key) {
        return (int) (key >>> 32);
    }

    /**
     * Adds {@code counts} to the rows with these keys, inserting the missing ones. Each row: the keys, the counts,
     * then the {@code fixed} columns (written only on insert).
     */
    private void upsert(String table, List<String> keys, List<String> counts, List<String> fixed, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<String> columns = new ArrayList<>(keys);
        columns.addAll(counts);
        columns.addAll(fixed);
        String names = String.join(", ", columns);
        String marks = String.join(", ", columns.stream().map(c -> "?").toList());
        String sql;
        if (postgres) {
            sql = "insert into " + table + " (" + names + ") values (" + marks + ") on conflict ("
                    + String.join(", ", keys) + ") do update set "
                    + String.join(", ", counts.stream().map(c -> c + " = " + table + "." + c + " + excluded." + c).toList());
        } else {
            sql = "merge into " + table + " t using (values (" + marks + ")) as v (" + names + ") on "
                    + String.join(" and ", keys.stream().map(k -> "t." + k + " = v." + k).toList())
                    + " when matched then update set "
                    + String.join(", ", counts.stream().map(c -> c + " = t." + c + " + v." + c).toList())
                    + " when not matched then insert (" + names + ") values ("
                    + String.join(", ", columns.stream().map(c -> "v." + c).toList()) + ")";
        }
        jdbc.batchUpdate(sql, rows);
    }
}
