package org.dcpserve.train.train;

/** The alpha and learning-rate schedules of a run; steps are numbered 1..total. */
public final class Schedules {

    private Schedules() {
    }

    /**
     * Cosine schedule of the sparse sigmoid's alpha (method.md section 4):
     * {@code alpha(t) = alphaEnd + (1 - alphaEnd) (1 + cos(pi t / T)) / 2} with t = step - 1 and
     * T = total - 1, so the first step uses alpha = 1 (the logistic sigmoid) and the last alphaEnd.
     */
    public static double alpha(long step, long total, double alphaEnd) {
        if (total <= 1) {
            return alphaEnd;
        }
        double progress = Math.min(1.0, (double) (step - 1) / (total - 1));
        return alphaEnd + (1 - alphaEnd) * (1 + Math.cos(Math.PI * progress)) / 2;
    }

    /** Linear warm-up over the first {@code warmup} steps, then constant. */
    public static double learningRate(long step, double lr, int warmup) {
        return warmup > 0 && step < warmup ? lr * step / warmup : lr;
    }

    /**
     * Linear warm-up, then a cosine from {@code lr} down to {@code lr / 10} at step {@code total}: the
     * usual pretraining schedule (a short run gains most from the low rate at its end).
     */
    public static double cosineLearningRate(long step, long total, double lr, int warmup) {
        if (warmup > 0 && step < warmup) {
            return lr * step / warmup;
        }
        double floor = lr / 10;
        double progress = total <= warmup ? 1.0 : Math.min(1.0, (double) (step - warmup) / (total - warmup));
        return floor + (lr - floor) * (1 + Math.cos(Math.PI * progress)) / 2;
    }
}
