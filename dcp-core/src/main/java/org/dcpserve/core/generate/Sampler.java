package org.dcpserve.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token: greedy, or temperature sampling restricted by top-k and top-p. */
final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    int next(float[] logits) {
        if (params.isGreedy()) {
            return argmax(logits);
        }
        int vocab = logits.length;
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        // Sorting the whole vocabulary is cheap next to a forward pass, and keeps top-k and top-p one code path.
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
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
        double total = 0;
        for (int i = 0; i < kept; i++) {
            total += probs[i];
        }
        double draw = random.nextDouble() * total;
        for (int i = 0; i < kept; i++) {
            draw -= probs[i];
            if (draw < 0) {
                return order[i];
            }
        }
        return order[kept - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log softmax(logits)[token], the model's own (untempered) log-probability of the chosen token. */
    static float logProbability(float[] logits, int token) {
        float max = logits[argmax(logits)];
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return (float) (logits[token] - max - Math.log(sum));
    }
}
