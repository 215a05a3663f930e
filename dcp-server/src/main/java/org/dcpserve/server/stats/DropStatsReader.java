package org.dcpserve.server.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads the aggregated drop statistics: a few grouped queries over the aggregate tables, never over the traces. The
 * rows are per owner (API key); an owner filter reads one owner's, none sums every owner's.
 */
@Component
class DropStatsReader {

    private static final int EXAMPLES = 5;

    private final JdbcTemplate jdbc;

    DropStatsReader(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param owner only this API key's traces, or null for every trace
     */
    @Transactional(readOnly = true)
    public DropStats read(String model, String owner, Integer layer, long minCount, int limit) {
        Rows rows = new Rows(model, owner, layer);
        long[] totals = jdbc.query("select sum(requests), sum(tokens) from drop_stat_model where model = ?"
                + rows.ownerFilter, rs -> rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[2],
                rows.owners());

        List<DropStats.Layer> layers = jdbc.query("select layer, sum(seen), sum(dropped), sum(lifetime_sum)"
                + " from drop_stat_token" + rows.where + " group by layer order by layer",
                (rs, i) -> {
                    long seen = rs.getLong(2);
                    long dropped = rs.getLong(3);
                    return new DropStats.Layer(rs.getInt(1), seen, dropped, rate(dropped, seen),
                            dropped == 0 ? 0 : (double) rs.getLong(4) / dropped);
                }, rows.args());
        List<DropStats.Bucket> positions = jdbc.query("select bucket, sum(seen), sum(dropped) from drop_stat_position"
                + rows.where + " group by bucket order by bucket",
                (rs, i) -> bucket(rs.getInt(1), rs.getLong(2), rs.getLong(3)), rows.args());
        List<DropStats.Bucket> lifetimes = jdbc.query("select bucket, sum(dropped) from drop_stat_lifetime"
                + rows.where + " group by bucket order by bucket",
                (rs, i) -> bucket(rs.getInt(1), 0, rs.getLong(2)), rows.args());

        String tokens = "select token_id, max(text), sum(seen) as s, sum(dropped) as d, sum(lifetime_sum)"
                + " from drop_stat_token" + rows.where + " group by token_id having sum(seen) >= ?";
        List<DropStats.TokenStat> topDropped = tokenStats(tokens
                + " order by 1.0 * sum(dropped) / sum(seen) desc, sum(dropped) desc, token_id limit ?", rows, minCount,
                limit);
        List<DropStats.TokenStat> topKept = tokenStats(tokens
                + " order by 1.0 * sum(dropped) / sum(seen), sum(seen) desc, token_id limit ?", rows, minCount, limit);
        return new DropStats(model, totals[0], totals[1], layer, minCount, layers, positions, lifetimes,
                withExamples(rows, topDropped), withExamples(rows, topKept), heatmap(rows, layers, topDropped, topKept));
    }

    private List<DropStats.TokenStat> tokenStats(String sql, Rows rows, long minCount, int limit) {
        return jdbc.query(sql, (rs, i) -> {
            long seen = rs.getLong(3);
            long dropped = rs.getLong(4);
            return new DropStats.TokenStat(rs.getInt(1), rs.getString(2), seen, dropped, rate(dropped, seen),
                    dropped == 0 ? 0 : (double) rs.getLong(5) / dropped, List.of());
        }, rows.args(minCount, limit));
    }

    /** The newest requests (of the owner, if filtered) that held each token: an index lookup per token. */
    private List<DropStats.TokenStat> withExamples(Rows rows, List<DropStats.TokenStat> stats) {
        List<DropStats.TokenStat> out = new ArrayList<>(stats.size());
        String owner = rows.owner == null ? "" : " and t.owner_key = ?";
        for (DropStats.TokenStat s : stats) {
            List<String> examples = jdbc.queryForList("select t.request_id from trace t where t.model = ?" + owner
                    + " and exists (select 1 from trace_token k where k.request_id = t.request_id and k.token_id = ?)"
                    + " order by t.created_at desc limit " + EXAMPLES, String.class, rows.owners(s.tokenId()));
            out.add(new DropStats.TokenStat(s.tokenId(), s.text(), s.seen(), s.dropped(), s.dropRate(),
                    s.meanLifetime(), examples));
        }
        return out;
    }

    private DropStats.Heatmap heatmap(Rows rows, List<DropStats.Layer> layers, List<DropStats.TokenStat> dropped,
                                      List<DropStats.TokenStat> kept) {
        Map<Integer, String> tokens = new LinkedHashMap<>();
        dropped.forEach(t -> tokens.putIfAbsent(t.tokenId(), t.text()));
        kept.forEach(t -> tokens.putIfAbsent(t.tokenId(), t.text()));
        List<Integer> layerIds = layers.stream().map(DropStats.Layer::layer).toList();
        if (tokens.isEmpty()) {
            return new DropStats.Heatmap(layerIds, List.of());
        }
        Map<Integer, Integer> column = new HashMap<>();
        for (int i = 0; i < layerIds.size(); i++) {
            column.put(layerIds.get(i), i);
        }
        Map<Integer, Double[]> rates = new HashMap<>();
        Map<Integer, Long[]> seen = new HashMap<>();
        String ids = String.join(", ", tokens.keySet().stream().map(String::valueOf).toList());
        jdbc.query("select token_id, layer, sum(seen), sum(dropped) from drop_stat_token where model = ?"
                + rows.ownerFilter + " and token_id in (" + ids + ") group by token_id, layer", rs -> {
                    Integer c = column.get(rs.getInt(2));
                    if (c != null) {
                        rates.computeIfAbsent(rs.getInt(1), k -> new Double[layerIds.size()])[c] =
                                rate(rs.getLong(4), rs.getLong(3));
                        seen.computeIfAbsent(rs.getInt(1), k -> new Long[layerIds.size()])[c] = rs.getLong(3);
                    }
                }, rows.owners());
        List<DropStats.HeatmapRow> out = new ArrayList<>();
        tokens.forEach((id, text) -> out.add(new DropStats.HeatmapRow(id, text,
                Arrays.asList(rates.getOrDefault(id, new Double[layerIds.size()])),
                Arrays.asList(seen.getOrDefault(id, new Long[layerIds.size()])))));
        return new DropStats.Heatmap(layerIds, out);
    }

    private static DropStats.Bucket bucket(int bucket, long seen, long dropped) {
        return new DropStats.Bucket(DropStatsWriter.bucketStart(bucket), DropStatsWriter.bucketStart(bucket + 1), seen,
                dropped, rate(dropped, seen));
    }

    private static double rate(long dropped, long seen) {
        return seen == 0 ? 0 : (double) dropped / seen;
    }

    /**
     * Which aggregate rows a read covers: a model, an owner (or all) and a layer (or all). {@code where} filters all
     * three; {@code ownerFilter} is only the owner's part, for the queries that ignore the layer.
     */
    private static final class Rows {
        final String model;
        final String owner;
        final Integer layer;
        final String ownerFilter;
        final String where;

        Rows(String model, String owner, Integer layer) {
            this.model = model;
            this.owner = owner;
            this.layer = layer;
            this.ownerFilter = owner == null ? "" : " and owner_key = ?";
            this.where = " where model = ?" + ownerFilter + (layer == null ? "" : " and layer = ?");
        }

        /** The arguments of {@code where}, then {@code more}. */
        Object[] args(Object... more) {
            return Stream.of(Stream.of(model), Stream.ofNullable(owner), Stream.ofNullable(layer), Stream.of(more))
                    .flatMap(s -> s).toArray();
        }

        /** The arguments of "model = ?" + {@code ownerFilter}, then {@code more}. */
        Object[] owners(Object... more) {
            return Stream.of(Stream.of(model), Stream.ofNullable(owner), Stream.of(more)).flatMap(s -> s).toArray();
        }
    }
}
