package org.dcpserve.train.eval;

import java.util.List;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.PruningReport;

/**
 * Perplexity of token sequences through the same ONNX engine the service runs, under a pruning policy:
 * each sequence is fed as one prefill (which applies the hard cumulative-product mask exactly as
 * token-by-token decoding would) and every next token is scored.
 */
final class PerplexityEvaluator {

    private final OnnxTransformer model;

    PerplexityEvaluator(OnnxTransformer model) {
        this.model = model;
    }

    Result evaluate(List<int[]> sequences, PruningPolicy policy) {
        return evaluate(sequences, policy, null);
    }

    /** {@link #evaluate(List, PruningPolicy)}, also counting every drop into {@code drops} (when not null). */
    Result evaluate(List<int[]> sequences, PruningPolicy policy, DropCounts drops) {
        int vocab = model.config().vocabSize();
        double nll = 0;
        long predicted = 0;
        double maskedPairs = 0;
        double causalPairs = 0;
        long heldBytes = 0;
        long denseBytes = 0;
        for (int[] window : sequences) {
            if (window.length < 2) {
                continue;
            }
            Sequence sequence = new Sequence(model, policy);
            float[] logits = sequence.forwardAll(window);                       // [T, vocab]
            for (int t = 0; t + 1 < window.length; t++) {
                nll -= logSoftmax(logits, t * vocab, vocab, window[t + 1]);
                predicted++;
            }
            PruningReport report = sequence.report();
            if (drops != null) {
                drops.add(window, report.drops());
            }
            double pairs = (double) window.length * (window.length - 1) / 2;
            maskedPairs += report.sparsity() * pairs;
            causalPairs += pairs;
            heldBytes += report.kvCacheBytes();
            denseBytes += report.denseKvCacheBytes();
        }
        return new Result(policy.name(), Math.exp(nll / predicted), predicted, maskedPairs / causalPairs,
                (double) heldBytes / denseBytes);
    }

    private static double logSoftmax(float[] logits, int offset, int size, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + token] - max - Math.log(sum);
    }

    /**
     * @param policy          the pruning policy evaluated
     * @param perplexity      exp(mean next-token negative log-likelihood)
     * @param tokens          tokens scored
     * @param sparsity        share of causal (query, earlier key) pairs masked, over all windows
     * @param kvBytesFraction bytes the caches hold at the end of a window over what dense caches would hold
     */
    record Result(String policy, double perplexity, long tokens, double sparsity, double kvBytesFraction) {
    }
}
