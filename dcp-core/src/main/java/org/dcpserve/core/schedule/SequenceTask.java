package org.dcpserve.core.schedule;

import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.pruning.PruningPolicy;

/**
 * What the step scheduler drives for one sequence: the prompt to feed, and after every forward step the
 * choice of the next token. Its methods are called between steps, on the scheduler's step thread or, for
 * {@link #next} and {@link #result}, on one of its pick threads ({@link PickThreads}: the tasks of a step pick side
 * by side), one call at a time per task and each after the one before it. They hold up every sequence in the batch:
 * they must be quick (a token listener should hand the token on, not write to a slow client), and what they share
 * with other tasks must be thread-safe.
 *
 * @param <R> the outcome, e.g. a {@link org.dcpserve.core.generate.Generation}
 */
public interface SequenceTask<R> {

    /** Returned by {@link #next} when the sequence is done. */
    int END = -1;

    PruningPolicy policy();

    /** The tokens to feed first (never empty). */
    int[] prompt();

    /** The most tokens the sequence can reach, prompt included: what its KV cache is budgeted for. */
    int maxLength();

    /** The sequence joins the batch: its prefill starts now. */
    default void admitted() {
    }

    /**
     * True: the prompt's every position's logits are handed to {@link #promptLogits} as it is fed (TGI's
     * decoder_input_details), in the same prefill that picks the first token.
     */
    default boolean scoresPrompt() {
        return false;
    }

    /**
     * When {@link #scoresPrompt}: the logits [T, vocab] of prompt positions {@code from} to {@code from + T - 1}, row t
     * predicting the token after position {@code from + t}. Called once per prefill chunk, in order.
     */
    default void promptLogits(int from, float[] logits) {
    }

    /** Given the logits [vocab] after the prompt or the last fed token, the next token to feed, or {@link #END}. */
    int next(float[] logits);

    /** The outcome, once {@link #next} returned {@link #END}. */
    R result(Sequence sequence);
}
