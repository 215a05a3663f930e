package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastExpTest {

    /** The bound LogSoftmax states: Taylor's r^4/24 at |r| = ln2/128 is 3.6e-11; 4e-11 leaves rounding room. */
    private static final double BOUND = 4e-11;

    @Test
    void isWithinItsRelativeBoundOfMathExpFromMinus708ToZero() {
        SplittableRandom random = new SplittableRandom(3);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            // Deep values uniformly, and the range logits of a row really span (down to -40) more densely.
            double x = i % 2 == 0 ? -708 * random.nextDouble() : -40 * random.nextDouble();
            double exact = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.ofNonPositive(x) - exact) / exact);
        }
        assertThat(worst).isLessThan(BOUND).isGreaterThan(0);
        assertThat(FastExp.ofNonPositive(0)).isEqualTo(1.0);
        assertThat(FastExp.ofNonPositive(-Math.log(2) / 64 * 7)).isCloseTo(Math.pow(2, -7 / 64.0), org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void belowItsRangeAndForMaskedIdsItIsZero() {
        assertThat(FastExp.ofNonPositive(Double.NEGATIVE_INFINITY)).isZero();
        assertThat(FastExp.ofNonPositive(Double.NaN)).isZero();
        assertThat(FastExp.ofNonPositive(-708.5)).isZero();
        assertThat(FastExp.ofNonPositive(-707.9)).isPositive();
    }
}
