package org.dcpserve.core.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference the sampler is held to: the sampler as it was before partial selection, which sorts the whole
 * vocabulary every step (straightforwardly, so its order is checked against a stable boxed sort), copies the row
 * for the penalties, and computes the log-probability and the top-n alternatives with a softmax pass each. The
 * equivalence tests compare picks with it; the sampling benchmark times it as "before".
 */
public final class SortingSampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    /** Token id -> times it occurs in the prompt (repetition penalty only) and generated so far. */
    private final Map<Integer, Integer> seen = new HashMap<>();
    private final Map<Integer, Integer> generated = new HashMap<>();

    /** @param prompt the prompt's tokens, which the repetition penalty counts as already in the sequence */
    public SortingSampler(SamplingParams params, int[] prompt) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
        if (params.hasPenalties()) {
            for (int token : prompt) {
                seen.merge(token, 1, Integer::sum);
            }
        }
    }

    public int next(float[] logits) {
        int token = choose(params.hasPenalties() ? penalized(logits) : logits);
        if (params.hasPenalties()) {
            seen.merge(token, 1, Integer::sum);
            generated.merge(token, 1, Integer::sum);
        }
        return token;
    }

    /** A copy of the logits with the repetition (HF), frequency and presence (OpenAI) penalties applied. */
    private float[] penalized(float[] logits) {
        float[] out = logits.clone();
        if (params.repetitionPenalty() != 1f) {
            for (int token : seen.keySet()) {
                float logit = out[token];
                out[token] = logit > 0 ? logit / params.repetitionPenalty() : logit * params.repetitionPenalty();
            }
        }
        for (Map.Entry<Integer, Integer> e : generated.entrySet()) {
            out[e.getKey()] -= e.getValue() * params.frequencyPenalty() + params.presencePenalty();
        }
        return out;
    }

    private int choose(float[] logits) {
        if (params.isGreedy()) {
            return Sampler.argmax(logits);
        }
        int vocab = logits.length;
        int[] order = byDescendingLogit(logits);
        int candidates = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        double[] probs = new double[candidates];
        // In double: a tiny temperature must not overflow a float logit to infinity (and the draw to NaN).
        double max = logits[order[0]] / (double) params.temperature();
        double sum = 0;
        for (int i = 0; i < candidates; i++) {
            probs[i] = Math.exp(logits[order[i]] / (double) params.temperature() - max);
            sum += probs[i];
        }
        double cumulative = 0;
        int kept = 0;
        while (kept < candidates) {
            cumulative += probs[kept++] / sum;
            if (cumulative >= params.topP()) {
                break;
            }
        }
        int[] pick = new int[kept];
        for (int i = 0; i < kept; i++) {
            pick[i] = i;
        }
        if (params.typicalP() < 1f) {
            pick = typical(probs, kept, params.typicalP());
        }
        double total = 0;
        for (int i : pick) {
            total += probs[i];
        }
        double draw = random.nextDouble() * total;
        for (int i : pick) {
            draw -= probs[i];
            if (draw < 0) {
                return order[i];
            }
        }
        return order[pick[pick.length - 1]];
    }

    /** Token ids by descending logit, ties in id order (the order of Float.compare): the whole vocabulary sorted. */
    static int[] byDescendingLogit(float[] logits) {
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            keys[i] = RankedLogits.key(logits[i], i);
        }
        Arrays.sort(keys);
        int[] order = new int[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /**
     * Locally typical sampling (Meister et al. 2022, as in Hugging Face's TypicalLogitsWarper): among the first
     * {@code kept} candidates, those whose information -log p is closest to the entropy, until their probability
     * reaches {@code mass}. Returns candidate indices, most typical first.
     */
    static int[] typical(double[] weights, int kept, float mass) {
        double sum = 0;
        for (int i = 0; i < kept; i++) {
            sum += weights[i];
        }
        double entropy = 0;
        double[] information = new double[kept];
        for (int i = 0; i < kept; i++) {
            double p = weights[i] / sum;
            information[i] = p > 0 ? -Math.log(p) : Double.POSITIVE_INFINITY;
            entropy += p > 0 ? p * information[i] : 0;
        }
        double h = entropy;
        Integer[] byTypicality = new Integer[kept];
        for (int i = 0; i < kept; i++) {
            byTypicality[i] = i;
        }
        Arrays.sort(byTypicality, (a, b) -> Double.compare(Math.abs(information[a] - h), Math.abs(information[b] - h)));
        double cumulative = 0;
        int n = 0;
        while (n < kept) {
            cumulative += weights[byTypicality[n++]] / sum;
            if (cumulative >= mass) {
                break;
            }
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = byTypicality[i];
        }
        return out;
    }

    /** log softmax(logits)[token], the model's own (untempered) log-probability of the chosen token. */
    public static float logProbability(float[] logits, int token) {
        float max = logits[Sampler.argmax(logits)];
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return (float) (logits[token] - max - Math.log(sum));
    }

    /** The top-n alternatives' log-probabilities as TopTokens had them: the same selection, a softmax pass of its own. */
    public static float[] topLogProbabilities(float[] logits, int n) {
        int[] best = TopTokens.best(logits, n);
        float max = logits[best[0]];
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logSum = Math.log(sum);
        float[] out = new float[best.length];
        for (int i = 0; i < best.length; i++) {
            out[i] = (float) (logits[best[i]] - max - logSum);
        }
        return out;
    }
}
