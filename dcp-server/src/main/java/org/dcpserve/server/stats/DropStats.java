package org.dcpserve.server.stats;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * Response of GET /explain/stats: drops aggregated across every stored trace of a model. A layer "sees" a token
 * each time it is fed through it; its sparsity is the fraction of the tokens it saw that it dropped. A drop's
 * lifetime is how many tokens later it came (dropper position - position).
 *
 * @param model      the model
 * @param requests   traces aggregated
 * @param tokens     tokens fed, over all of them
 * @param layer      the layer filter, or null for all layers
 * @param minCount   tokens seen fewer times are left out of the token lists
 * @param layers     per layer: seen, dropped, sparsity, mean lifetime
 * @param positions  sparsity by position bucket (of the filtered layer, or all layers)
 * @param lifetimes  drops by lifetime bucket
 * @param topDropped tokens with the highest drop rate (ties: more drops first)
 * @param topKept    tokens with the lowest drop rate (ties: seen more often first)
 * @param heatmap    the drop rate of every listed token in every layer
 */
@Schema(name = "DropStats")
public record DropStats(String model, long requests, long tokens, Integer layer, long minCount, List<Layer> layers,
                        List<Bucket> positions, List<Bucket> lifetimes, List<TokenStat> topDropped,
                        List<TokenStat> topKept, Heatmap heatmap) {

    @Schema(name = "DropStatsLayer")
    public record Layer(int layer, long seen, long dropped, double sparsity, double meanLifetime) {
    }

    /**
     * @param from first value of the bucket
     * @param to   one past its last value
     */
    @Schema(name = "DropStatsBucket")
    public record Bucket(int from, int to, long seen, long dropped, double sparsity) {
    }

    /**
     * @param examples the newest requests that held this token (GET /explain/{request_id})
     */
    @Schema(name = "DropStatsToken")
    public record TokenStat(int tokenId, String text, long seen, long dropped, double dropRate, double meanLifetime,
                            List<String> examples) {
    }

    /**
     * @param layers layer numbers, the columns
     * @param rows   one per listed token, its drop rate per layer (null: never seen in that layer)
     */
    @Schema(name = "DropStatsHeatmap")
    public record Heatmap(List<Integer> layers, List<HeatmapRow> rows) {
    }

    @Schema(name = "DropStatsHeatmapRow")
    public record HeatmapRow(int tokenId, String text, List<Double> dropRates, List<Long> seen) {
    }
}
