package org.dcpserve.server.trace;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Response of GET /explain/{request_id}: a stored trace, with token texts resolved so a reader sees which
 * word dropped which.
 *
 * @param requestId         the request
 * @param model             the model that served it
 * @param policy            dense or dcp
 * @param prompt            the prompt as sent
 * @param generatedText     the continuation
 * @param createdAt         when the trace was stored
 * @param finishReason      length, eos_token or stop_sequence
 * @param promptTokens      prompt tokens fed (BOS included)
 * @param generatedTokens   tokens generated
 * @param tokensFed         tokens that went through the model: the prompt and every generated token but the last
 * @param sparsity          fraction of causal attention entries masked, averaged over layers
 * @param kvCacheBytes      bytes the KV caches held at the end
 * @param denseKvCacheBytes bytes dense caches would have held
 * @param tokens            every token, in position order
 * @param layers            every layer with what it kept and each token it dropped
 */
public record Explanation(UUID requestId, String model, String policy, String prompt, String generatedText,
                          Instant createdAt, String finishReason, int promptTokens, int generatedTokens,
                          int tokensFed, double sparsity, long kvCacheBytes, long denseKvCacheBytes,
                          List<Token> tokens, List<Layer> layers) {

    // Schema names distinct from /generate's Token and Layer: springdoc names schemas by simple class name.
    @Schema(name = "ExplainedToken")
    public record Token(int position, int id, String text, boolean prompt) {
    }

    /**
     * @param keptFraction kept / tokens fed
     * @param drops        the tokens this layer dropped, by position
     */
    @Schema(name = "ExplainedLayer")
    public record Layer(int layer, int kept, int dropped, double keptFraction, List<Drop> drops) {
    }

    /**
     * @param position        the dropped token
     * @param step            forward step it was dropped in: 0 is the prefill, k the k-th decode step
     * @param dropperPosition the token whose vote dropped it
     */
    @Schema(name = "ExplainedDrop")
    public record Drop(int position, String text, int step, int dropperPosition, String dropperText) {
    }

    /** Builds the explanation; reads the trace's collections, so call it inside a transaction. */
    static Explanation of(UUID requestId, Trace trace) {
        List<TraceToken> stored = trace.tokens();
        String[] text = new String[stored.isEmpty() ? 0 : stored.getLast().position() + 1];
        List<Token> tokens = new ArrayList<>(stored.size());
        for (TraceToken t : stored) {
            text[t.position()] = t.text();
            tokens.add(new Token(t.position(), t.tokenId(), t.text(), t.prompt()));
        }
        List<Layer> layers = new ArrayList<>(trace.layers().size());
        List<TraceDrop> drops = trace.drops();
        int next = 0;
        for (TraceLayer layer : trace.layers()) {
            // Drops come ordered by layer, then position: one pass hands each layer its own.
            List<Drop> own = new ArrayList<>(layer.dropped());
            while (next < drops.size() && drops.get(next).layer() == layer.layer()) {
                TraceDrop d = drops.get(next++);
                own.add(new Drop(d.position(), text[d.position()], d.step(), d.dropperPosition(),
                        text[d.dropperPosition()]));
            }
            int fed = layer.kept() + layer.dropped();
            layers.add(new Layer(layer.layer(), layer.kept(), layer.dropped(),
                    fed == 0 ? 1.0 : (double) layer.kept() / fed, own));
        }
        int tokensFed = trace.layers().isEmpty() ? 0 : trace.layers().getFirst().kept()
                + trace.layers().getFirst().dropped();
        return new Explanation(requestId, trace.model(), trace.policy(), trace.prompt(), trace.generatedText(),
                trace.createdAt(), trace.finishReason(), trace.promptTokens(), trace.generatedTokens(), tokensFed,
                trace.sparsity(), trace.kvCacheBytes(), trace.denseKvCacheBytes(), tokens, layers);
    }
}
