package org.dcpserve.core.generate;

import java.util.List;
import org.dcpserve.core.pruning.PruningReport;

/**
 * The outcome of one generation.
 *
 * @param text         the generated continuation (without the prompt)
 * @param prompt       the prompt tokens as fed to the model (after BOS and truncation)
 * @param tokens       the generated tokens, EOS included when it ended the generation
 * @param finishReason why it stopped
 * @param seed         the seed used for sampling
 * @param timings      where the time went
 * @param pruning      what the pruning policy dropped, per layer, and what the caches hold
 * @param promptLogprobs per prompt position, the log-probability of its token after the ones before it (NaN for the
 *                     first); null unless the generation scored its prompt (TGI's decoder_input_details)
 */
public record Generation(String text, List<GeneratedToken> prompt, List<GeneratedToken> tokens,
                         FinishReason finishReason, long seed, Timings timings, PruningReport pruning,
                         float[] promptLogprobs) {

    /**
     * @param prefillNanos time to feed the prompt and get the first logits
     * @param decodeNanos  time of all later forward passes and sampling
     */
    public record Timings(long prefillNanos, long decodeNanos) {

        /** Generated tokens per second after the first one (the decode rate). */
        public double decodeTokensPerSecond(int generatedTokens) {
            return generatedTokens <= 1 || decodeNanos == 0 ? 0 : (generatedTokens - 1) * 1e9 / decodeNanos;
        }
    }
}
