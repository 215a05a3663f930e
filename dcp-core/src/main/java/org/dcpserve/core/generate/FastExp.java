package org.dcpserve.core.generate;

/**
 * exp(x) for x <= 0, about twice as fast as {@link Math#exp} for the log-softmax's pass over a vocabulary, with a
 * relative error below 4e-11 for x in [-708, 0] (0 below: e^-708 is 3e-308, nothing next to a row's largest term,
 * which is 1). x = (n + f)·ln2/64 with n an integer and |f| <= 1/2, so e^x = 2^(n / 64) · e^r with |r| <= ln2/128:
 * 2^(n div 64) by its exponent bits, 2^((n mod 64) / 64) from a 64-entry table, e^r by its Taylor polynomial of degree
 * 3, whose error r^4/24 is at most 3.6e-11.
 */
final class FastExp {

    private static final double STEPS_PER_LN = 64 / Math.log(2);
    private static final double LN_PER_STEP = Math.log(2) / 64;
    /** 1.5 · 2^52: adding it rounds a double of magnitude below 2^51 to an integer held in its low mantissa bits. */
    private static final double ROUNDER = 0x1.8p52;
    private static final double LOWEST = -708;
    /** 2^(j / 64) for j in [0, 64). */
    private static final double[] FRACTION_POWERS = new double[64];

    static {
        for (int j = 0; j < FRACTION_POWERS.length; j++) {
            FRACTION_POWERS[j] = Math.pow(2, j / 64.0);
        }
    }

    private FastExp() {
    }

    /** e^x for x <= 0 (NaN and -inf give 0). */
    static double ofNonPositive(double x) {
        if (!(x >= LOWEST)) {
            return 0;
        }
        double rounded = x * STEPS_PER_LN + ROUNDER;
        int n = (int) Double.doubleToRawLongBits(rounded);
        double r = x - (rounded - ROUNDER) * LN_PER_STEP;
        double expR = 1 + r * (1 + r * (0.5 + r * (1.0 / 6)));
        double twoToWhole = Double.longBitsToDouble((long) ((n >> 6) + Double.MAX_EXPONENT) << 52);
        return FRACTION_POWERS[n & 63] * twoToWhole * expR;
    }
}
