package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerOrderTest {

    @Test
    void tokensComeInTheOrderOfAStableSortByDescendingLogit() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            float[] logits = new float[1 + random.nextInt(600)];
            for (int i = 0; i < logits.length; i++) {
                // Few distinct values, so ties are common; both zeros and large magnitudes of either sign.
                float[] values = {0f, -0f, 1.5f, -1.5f, 3e38f, -3e38f, Float.NEGATIVE_INFINITY, 1e-40f};
                logits[i] = random.nextBoolean() ? values[random.nextInt(values.length)] : (float) random.nextGaussian();
            }
            Integer[] expected = new Integer[logits.length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = i;
            }
            Arrays.sort(expected, (a, b) -> Float.compare(logits[b], logits[a]));
            assertThat(Sampler.byDescendingLogit(logits)).containsExactly(Arrays.stream(expected).mapToInt(Integer::intValue).toArray());
        }
    }
}
