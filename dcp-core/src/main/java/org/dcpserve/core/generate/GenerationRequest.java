package org.dcpserve.core.generate;

import java.util.List;

/**
 * One text generation.
 *
 * @param prompt       the text to continue
 * @param maxNewTokens most tokens to generate
 * @param sampling     how tokens are chosen
 * @param stop         generation ends once the text contains one of these (the stop text is kept)
 * @param truncate     when not null, keep only the last {@code truncate} prompt tokens instead of refusing a
 *                     prompt that does not fit
 * @param pruning      true: prune with the model's DCP gates; false: run densely; null: prune when the
 *                     model has gates
 * @param topNTokens   how many of the most likely tokens to report with every generated token (0: none)
 */
public record GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                                Integer truncate, Boolean pruning, int topNTokens) {

    public GenerationRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be at least 1");
        }
        if (topNTokens < 0) {
            throw new IllegalArgumentException("top_n_tokens must be >= 0");
        }
    }

    public GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                             Integer truncate, Boolean pruning) {
        this(prompt, maxNewTokens, sampling, stop, truncate, pruning, 0);
    }

    public GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                             Integer truncate) {
        this(prompt, maxNewTokens, sampling, stop, truncate, null);
    }
}
