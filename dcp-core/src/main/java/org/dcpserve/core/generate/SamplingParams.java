package org.dcpserve.core.generate;

/**
 * How the next token is chosen from the logits.
 *
 * @param temperature 0 means greedy (argmax); above 0 divides the logits before sampling
 * @param topK        keep only the k most likely tokens (0 = no limit)
 * @param topP        keep the smallest set of tokens whose probability reaches p (1 = no limit)
 * @param seed        seed of the random choice; the same seed gives the same output
 */
public record SamplingParams(float temperature, int topK, float topP, long seed) {

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
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
