package org.dcpserve.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelWeights;

/**
 * Logit rows shaped like a trained model's from a random one. Random weights give logits of standard deviation about
 * 1 (final-norm gains about 1, head columns of norm about 1): at a 152k vocabulary such a row is nearly flat, an
 * entropy of about 11.4 nats of the 11.9 of a uniform row, and a top-p 0.95 nucleus of most of the vocabulary, which
 * no trained model gives and which makes sampling look many times dearer than it is. A trained LM's next-token
 * entropy is a few nats (on text, about its loss: 2 to 3 nats per token for models of this size). Gaussian logits
 * of standard deviation s have an entropy of about ln V - s^2 / 2 well below s = sqrt(2 ln V) (4.9 at V = 152k), and
 * past it the largest few logits take most of the mass: an s of about 5 gives a few nats (Gaussian rows at V = 151,669:
 * s 4.2 about 5 nats, 5.0 about 3.4). {@link Rows} measures what a grid's rows really have.
 */
final class LogitScale {

    private LogitScale() {
    }

    /**
     * Multiplies the final norm's gains (and its bias, when it has one) so that the logits' standard deviation is
     * about {@code std}: a logit is Σ_i g_i x̂_i W[i, v] over the normalized state x̂ (mean square 1), so its variance
     * is about d · mean(g^2) · var(W).
     */
    static void scaleTo(double std, ModelWeights weights) {
        float[] gains = weights.get(ModelWeights.FINAL_NORM + ".weight").data();   // [d]
        float[] head = weights.get(ModelWeights.LM_HEAD).data();                    // [d, vocab]
        double meanSquareGain = meanSquare(gains, 0);
        double headVariance = meanSquare(head, mean(head));
        double now = Math.sqrt(gains.length * meanSquareGain * headVariance);
        float factor = (float) (std / now);
        scale(gains, factor);
        FloatTensor bias = weights.asMap().get(ModelWeights.FINAL_NORM + ".bias");
        if (bias != null) {
            scale(bias.data(), factor);
        }
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double meanSquare(float[] values, double mean) {
        double sum = 0;
        for (float v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum / values.length;
    }

    private static void scale(float[] values, float factor) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= factor;
        }
    }

    /**
     * What a batch's rows look like, averaged over the rows: the standard deviation of their finite logits, the
     * entropy of their softmax (nats), and the size of the nucleus the sampling reaches (the fewest most likely ids
     * whose probability at the temperature reaches top-p).
     */
    record Rows(double std, double entropy, double nucleus) {

        static Rows of(List<float[]> rows, SamplingParams sampling) {
            double std = 0;
            double entropy = 0;
            double nucleus = 0;
            for (float[] row : rows) {
                float[] finite = finite(row);
                std += Math.sqrt(meanSquare(finite, mean(finite)));
                entropy += entropy(finite, 1);
                nucleus += nucleus(finite, sampling.temperature() > 0 ? sampling.temperature() : 1, sampling.topP());
            }
            return new Rows(std / rows.size(), entropy / rows.size(), nucleus / rows.size());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "logit std %.2f, entropy %.2f nats, top-p nucleus %.0f ids (mean of the"
                    + " batch's rows)", std, entropy, nucleus);
        }

        private static float[] finite(float[] row) {
            float[] out = new float[row.length];
            int n = 0;
            for (float v : row) {
                if (Float.isFinite(v)) {
                    out[n++] = v;
                }
            }
            return Arrays.copyOf(out, n);
        }

        /** -Σ p log p of softmax(row / t). */
        private static double entropy(float[] row, double t) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : row) {
                max = Math.max(max, v / t);
            }
            double sum = 0;
            double weighted = 0;
            for (float v : row) {
                double x = v / t - max;
                double e = Math.exp(x);
                sum += e;
                weighted += e * x;
            }
            return Math.log(sum) - weighted / sum;
        }

        private static int nucleus(float[] row, double t, double p) {
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            double max = sorted[sorted.length - 1] / t;
            double sum = 0;
            for (float v : sorted) {
                sum += Math.exp(v / t - max);
            }
            double cumulative = 0;
            int n = 0;
            while (n < sorted.length && cumulative < p * sum) {
                cumulative += Math.exp(sorted[sorted.length - 1 - n++] / t - max);
            }
            return n;
        }
    }
}
