package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.dcpserve.core.generate.FinishReason;
import org.dcpserve.core.pruning.PruningReport;

/** Response of POST /generate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerateResponse(String generatedText, String requestId, Details details) {

    /**
     * @param finishReason    length, eos_token or stop_sequence
     * @param promptTokens    tokens fed as the prompt (BOS included)
     * @param generatedTokens tokens generated (EOS included when it ended the generation)
     * @param seed            sampling seed (null for greedy decoding)
     * @param timings         where the time went
     * @param pruning         what pruning did, per layer (the individual drops are at GET /explain/{request_id})
     * @param prefill         the prompt tokens (with log-probabilities when decoder_input_details was asked)
     * @param tokens          the generated tokens with their log-probabilities
     * @param topTokens       per generated token, the top_n_tokens most likely ones (absent unless asked)
     * @param inputLength     prompt tokens, as TGI's stream details name them
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(FinishReason finishReason, int promptTokens, int generatedTokens, Long seed,
                          Timings timings, Pruning pruning, List<Token> prefill, List<Token> tokens,
                          List<List<TopToken>> topTokens, int inputLength) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(int id, String text, int position, Float logprob, boolean special) {
    }

    /** One of the most likely tokens at a position (TGI's top_tokens). */
    public record TopToken(int id, String text, float logprob, boolean special) {
    }

    /**
     * @param traceWriteMs time to store the drop trace (after the generation, before the response); null when the
     *                     request asked not to be traced
     */
    public record Timings(double prefillMs, double decodeMs, double totalMs, double decodeTokensPerSecond,
                          Double traceWriteMs) {
    }

    /**
     * @param policy            dense or dcp
     * @param sparsity          fraction of causal attention entries masked, averaged over layers
     * @param kvCacheBytes      bytes the KV caches hold at the end
     * @param denseKvCacheBytes bytes dense caches would hold for the same tokens
     * @param layers            per layer: tokens kept and dropped, bytes held
     */
    public record Pruning(String policy, double sparsity, long kvCacheBytes, long denseKvCacheBytes,
                          List<Layer> layers) {

        static Pruning of(PruningReport report) {
            return new Pruning(report.policy(), report.sparsity(), report.kvCacheBytes(), report.denseKvCacheBytes(),
                    report.layers().stream()
                            .map(l -> new Layer(l.layer(), l.kept(), l.dropped(), l.kvBytes()))
                            .toList());
        }
    }

    @Schema(name = "PruningLayer")
    public record Layer(int layer, int kept, int dropped, long kvBytes) {
    }
}
