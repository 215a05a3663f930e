package org.dcpserve.core.generate;

import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Tokenizer;

/** The n most likely tokens of a logits row, with the model's own (untempered) log-probabilities. */
public final class TopTokens {

    private TopTokens() {
    }

    /**
     * The {@code n} most likely tokens of {@code logits} [vocab], most likely first; empty for n = 0.
     *
     * @param softmax the log softmax of the same row
     */
    public static List<GeneratedToken.Alternative> of(float[] logits, LogSoftmax softmax, int n, Tokenizer tokenizer,
                                                      ModelConfig config) {
        if (n <= 0) {
            return List.of();
        }
        int[] best = best(logits, n);
        Integer bos = config.tokenizer().bosId();
        List<GeneratedToken.Alternative> out = new ArrayList<>(best.length);
        for (int id : best) {
            boolean special = config.tokenizer().isEos(id) || (bos != null && bos == id);
            out.add(new GeneratedToken.Alternative(id, tokenizer.tokenText(id), softmax.logProbability(id),
                    special));
        }
        return out;
    }

    /** The ids of the {@code n} (>= 1) largest logits [vocab], largest first, ties in id order. */
    public static int[] best(float[] logits, int n) {
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
        return best;
    }
}
