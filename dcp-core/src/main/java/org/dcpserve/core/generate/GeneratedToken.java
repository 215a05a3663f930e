package org.dcpserve.core.generate;

/**
 * A token of a generation.
 *
 * @param id       token id
 * @param text     readable text of the token alone
 * @param position position in the sequence (prompt tokens come first)
 * @param logprob  the model's log-probability of this token (NaN for prompt tokens)
 * @param special  BOS/EOS and other control tokens
 */
public record GeneratedToken(int id, String text, int position, float logprob, boolean special) {
}
