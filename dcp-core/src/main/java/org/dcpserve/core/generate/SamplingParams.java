package org.dcpserve.core.generate;

/**
 * How the next token is chosen from the logits.
 *
 * @param temperature       0 means greedy (argmax); above 0 divides the logits before sampling
 * @param topK              keep only the k most likely tokens (0 = no limit)
 * @param topP              keep the smallest set of tokens whose probability reaches p (1 = no limit)
 * @param seed              seed of the random choice; the same seed gives the same output
 * @param repetitionPenalty Hugging Face's repetition penalty (1 = none): the logit of every token already in
 *                          the sequence (prompt or generated) is divided by it when positive, multiplied when negative
 * @param frequencyPenalty  OpenAI's frequency penalty (0 = none): subtracted from a token's logit once per time the
 *                          token was generated so far
 * @param presencePenalty   OpenAI's presence penalty (0 = none): subtracted once from the logit of every token
 *                          generated so far
 * @param typicalP          locally typical sampling (1 = off): keep the smallest set of tokens, by how close their
 *                          information is to the distribution's entropy, whose probability reaches typical_p
 */
public record SamplingParams(float temperature, int topK, float topP, long seed, float repetitionPenalty,
                             float frequencyPenalty, float presencePenalty, float typicalP) {

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]");
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0");
        }
        if (!Float.isFinite(frequencyPenalty) || !Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("frequency and presence penalties must be finite");
        }
        if (!(typicalP > 0 && typicalP <= 1)) {
            throw new IllegalArgumentException("typical_p must be in (0, 1]");
        }
    }

    /** Without penalties or typical sampling. */
    public SamplingParams(float temperature, int topK, float topP, long seed) {
        this(temperature, topK, topP, seed, 1f, 0f, 0f, 1f);
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Whether any penalty changes the logits before the choice. */
    public boolean hasPenalties() {
        return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }
}
