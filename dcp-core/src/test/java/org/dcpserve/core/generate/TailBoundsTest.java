package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TailBoundsTest {

    private static double exactTail(float[] logits, float ceiling, float temperature, double max) {
        double sum = 0;
        for (float logit : logits) {
            if (logit <= ceiling) {
                sum += Math.exp(logit / (double) temperature - max);
            }
        }
        return sum;
    }

    @Test
    void theTailsSumLiesWithinItsBoundsForEveryKindOfRowAndTemperature() {
        SplittableRandom random = new SplittableRandom(3);
        TailBounds bounds = new TailBounds();
        float[] temperatures = {1e-3f, 0.3f, 0.7f, 1f, 2f, 20f};
        for (int round = 0; round < 400; round++) {
            LogitRows kind = LogitRows.values()[random.nextInt(LogitRows.values().length)];
            float[] logits = kind.make(random, 1 + random.nextInt(5000));
            float temperature = temperatures[random.nextInt(temperatures.length)];
            float top = Float.NEGATIVE_INFINITY;
            for (float logit : logits) {
                top = Math.max(top, logit);
            }
            double max = top / (double) temperature;
            float ceiling = logits[random.nextInt(logits.length)];
            bounds.measure(logits, ceiling, temperature, max);
            double exact = exactTail(logits, ceiling, temperature, max);
            // Up to rounding: ties at the ceiling make the upper bound the exact sum, summed another way.
            assertThat(bounds.lower()).as("%s row at T %s", kind, temperature).isLessThanOrEqualTo(exact * (1 + 1e-14));
            assertThat(bounds.upper()).as("%s row at T %s", kind, temperature)
                    .isGreaterThanOrEqualTo(exact * (1 - 1e-14));
        }
    }

    @Test
    void overATrainedModelsKindOfRowTheBoundsAreAFewPercentApart() {
        SplittableRandom random = new SplittableRandom(4);
        float[] logits = LogitRows.HEAD.make(random, LogitRows.QWEN_VOCAB);
        float ceiling = 4f;
        TailBounds bounds = new TailBounds();
        bounds.measure(logits, ceiling, 0.7f, 20 / 0.7);
        double exact = exactTail(logits, ceiling, 0.7f, 20 / 0.7);
        assertThat(bounds.upper() / exact).isLessThan(1.1);
        assertThat(bounds.lower() / exact).isGreaterThan(0.9);
    }
}
