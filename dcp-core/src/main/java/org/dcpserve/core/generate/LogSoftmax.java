package org.dcpserve.core.generate;

/**
 * log softmax over one row of logits [vocab]: its largest logit and log Σ exp(logit - largest), one pass of exp
 * per step shared by the chosen token's log-probability and the top-n alternatives. The exps are {@link FastExp}'s
 * (relative error below 4e-11 each), so the log-sum is within 1e-10 of Math.exp's and a log-probability, a float,
 * is the same float or its neighbour; the pass is about twice as fast, and at a 152k vocabulary it is most of a
 * token's Java.
 */
public final class LogSoftmax {

    private final float[] logits;
    private final int offset;
    private final float max;
    private final double logSum;

    private LogSoftmax(float[] logits, int offset, float max, double logSum) {
        this.logits = logits;
        this.offset = offset;
        this.max = max;
        this.logSum = logSum;
    }

    /** Over the whole of {@code logits} [vocab]. */
    public static LogSoftmax of(float[] logits) {
        return ofRow(logits, 0, logits.length);
    }

    /** Over {@code logits[offset, offset + vocab)}, one row of a [T, vocab] block. */
    public static LogSoftmax ofRow(float[] logits, int offset, int vocab) {
        float max = logits[Sampler.argmax(logits, offset, vocab)];
        // Two sums: the adds of one would wait on each other.
        double even = 0;
        double odd = 0;
        int i = offset;
        for (; i + 1 < offset + vocab; i += 2) {
            even += FastExp.ofNonPositive(logits[i] - max);
            odd += FastExp.ofNonPositive(logits[i + 1] - max);
        }
        if (i < offset + vocab) {
            even += FastExp.ofNonPositive(logits[i] - max);
        }
        double sum = even + odd;
        return new LogSoftmax(logits, offset, max, Math.log(sum));
    }

    /** log softmax(logits)[token], the model's own (untempered) log-probability of {@code token}. */
    public float logProbability(int token) {
        return (float) (logits[offset + token] - max - logSum);
    }
}
