package org.dcpserve.core.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One sequence's repetition (Hugging Face), frequency and presence (OpenAI) penalties. They change only the logits
 * of tokens the sequence holds, so they are applied to those ids in place and undone after the choice: no copy of
 * the row, and the row is the model's again for the log-probabilities.
 */
final class Penalties {

    private final float repetition;
    private final float frequency;
    private final float presence;
    /** Token id -> its slot in the arrays below. */
    private final Map<Integer, Integer> slotOf = new HashMap<>();
    /** Per slot: the token id, the times it was generated, its logit before {@link #apply}. */
    private int[] ids = new int[16];
    private int[] generated = new int[16];
    private float[] saved = new float[16];
    private int size;

    /** @param prompt the prompt's tokens, which the repetition penalty counts as already in the sequence */
    Penalties(SamplingParams params, int[] prompt) {
        this.repetition = params.repetitionPenalty();
        this.frequency = params.frequencyPenalty();
        this.presence = params.presencePenalty();
        if (repetition != 1f) {
            for (int token : prompt) {
                slot(token);
            }
        }
    }

    /** Penalizes the logits [vocab] of the tokens seen, remembering what they were. */
    void apply(float[] logits) {
        for (int s = 0; s < size; s++) {
            float logit = logits[ids[s]];
            saved[s] = logit;
            if (repetition != 1f) {
                logit = logit > 0 ? logit / repetition : logit * repetition;
            }
            if (generated[s] > 0) {
                logit -= generated[s] * frequency + presence;
            }
            logits[ids[s]] = logit;
        }
    }

    /** Puts back the logits {@link #apply} changed. */
    void restore(float[] logits) {
        for (int s = 0; s < size; s++) {
            logits[ids[s]] = saved[s];
        }
    }

    /** Counts a generated token. */
    void record(int token) {
        int slot = slot(token);   // first: it may grow the arrays
        generated[slot]++;
    }

    private int slot(int token) {
        Integer slot = slotOf.get(token);
        if (slot != null) {
            return slot;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, 2 * size);
            generated = Arrays.copyOf(generated, 2 * size);
            saved = Arrays.copyOf(saved, 2 * size);
        }
        ids[size] = token;
        slotOf.put(token, size);
        return size++;
    }
}
