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
 * @param promptIds    the prompt's token ids when the caller encoded it (a rendered chat template, whose special
 *                     tokens only the caller may parse): fed as they are, no BOS added; null: {@code prompt} is
 *                     encoded with its special tokens as text and BOS in front
 */
public record GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                                Integer truncate, Boolean pruning, int topNTokens, int[] promptIds) {

    public GenerationRequest {
        stop = stop == null ? List.of() : List.copyOf(stop);
        promptIds = promptIds == null ? null : promptIds.clone();
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be at least 1");
        }
        if (promptIds != null && promptIds.length == 0) {
            throw new IllegalArgumentException("prompt ids must not be empty");
        }
        if (topNTokens < 0) {
            throw new IllegalArgumentException("top_n_tokens must be >= 0");
        }
    }

    /** A request whose prompt text is encoded here. */
    public GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                             Integer truncate, Boolean pruning, int topNTokens) {
        this(prompt, maxNewTokens, sampling, stop, truncate, pruning, topNTokens, null);
    }

    public GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                             Integer truncate, Boolean pruning) {
        this(prompt, maxNewTokens, sampling, stop, truncate, pruning, 0);
    }

    public GenerationRequest(String prompt, int maxNewTokens, SamplingParams sampling, List<String> stop,
                             Integer truncate) {
        this(prompt, maxNewTokens, sampling, stop, truncate, null);
    }

    /**
     * This request with its prompt as {@link TextGenerator#promptTokens} encoded it (BOS in front, truncated), so
     * whatever runs it later feeds these ids instead of encoding the text again.
     */
    public GenerationRequest encoded(int[] ids) {
        return new GenerationRequest(prompt, maxNewTokens, sampling, stop, truncate, pruning, topNTokens, ids);
    }
}
