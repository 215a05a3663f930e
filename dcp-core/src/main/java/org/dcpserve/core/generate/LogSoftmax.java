package org.dcpserve.core.generate;

/**
 * log softmax over one row of logits [vocab]: its largest logit and log Σ exp(logit - largest), one pass of exp
 * per step shared by the chosen token's log-probability and the top-n alternatives.
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
        double sum = 0;
        for (int i = offset; i < offset + vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return new LogSoftmax(logits, offset, max, Math.log(sum));
    }

    /** log softmax(logits)[token], the model's own (untempered) log-probability of {@code token}. */
    public float logProbability(int token) {
        return (float) (logits[offset + token] - max - logSum);
    }
}
