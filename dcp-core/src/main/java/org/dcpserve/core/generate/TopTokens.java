package org.dcpserve.core.generate;

import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Tokenizer;

/** The n most likely tokens of a logits row, with the model's own (untempered) log-probabilities. */
public final class TopTokens {

    private TopTokens() {
    }

    /** The {@code n} most likely tokens of {@code logits} [vocab], most likely first; empty for n = 0. */
    public static List<GeneratedToken.Alternative> of(float[] logits, int n, Tokenizer tokenizer, ModelConfig config) {
        if (n <= 0) {
            return List.of();
        }
        int k = Math.min(n, logits.length);
        // A partial selection: n is small (at most a few dozen), the vocabulary large.
        int[] best = new int[k];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            if (size < k || logits[id] > logits[best[size - 1]]) {
                int at = size < k ? size++ : k - 1;
                while (at > 0 && logits[best[at - 1]] < logits[id]) {
                    best[at] = best[at - 1];
                    at--;
                }
                best[at] = id;
            }
        }
        float max = logits[best[0]];
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logSum = Math.log(sum);
        Integer bos = config.tokenizer().bosId();
        List<GeneratedToken.Alternative> out = new ArrayList<>(k);
        for (int id : best) {
            boolean special = config.tokenizer().isEos(id) || (bos != null && bos == id);
            out.add(new GeneratedToken.Alternative(id, tokenizer.tokenText(id), (float) (logits[id] - max - logSum),
                    special));
        }
        return out;
    }

    /** log softmax(logits)[token]. */
    public static float logProbability(float[] logits, int token) {
        return Sampler.logProbability(logits, token);
    }
}
