package org.dcpserve.core.generate;

import java.util.List;

/**
 * A token of a generation.
 *
 * @param id        token id
 * @param text      readable text of the token alone
 * @param position  position in the sequence (prompt tokens come first)
 * @param logprob   the model's log-probability of this token (NaN for prompt tokens)
 * @param special   BOS/EOS and other control tokens
 * @param topTokens the most likely tokens at this position, most likely first, when the request asked for them
 *                  ({@link GenerationRequest#topNTokens()}); empty otherwise
 */
public record GeneratedToken(int id, String text, int position, float logprob, boolean special,
                             List<Alternative> topTokens) {

    public GeneratedToken {
        topTokens = topTokens == null ? List.of() : List.copyOf(topTokens);
    }

    public GeneratedToken(int id, String text, int position, float logprob, boolean special) {
        this(id, text, position, logprob, special, List.of());
    }

    /** A token the model could have chosen here, with its log-probability. */
    public record Alternative(int id, String text, float logprob, boolean special) {
    }
}
