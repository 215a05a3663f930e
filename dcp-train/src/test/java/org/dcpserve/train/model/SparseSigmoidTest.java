package org.dcpserve.train.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.DoubleUnaryOperator;
import org.dcpserve.train.DjlRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SparseSigmoidTest {

    private static Engine engine;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        engine = DjlRuntime.pytorch(2);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** -2.5 .. 2.5 in steps of 0.01, plus points exactly on the alpha = 2 and 3 band edges. */
    private static float[] grid() {
        float[] x = new float[503];
        for (int i = 0; i < 501; i++) {
            x[i] = -2.5f + 0.01f * i;
        }
        x[501] = 0.5f;
        x[502] = -1f;
        return x;
    }

    private static float[] sigma(float[] x, double alpha) {
        try (NDManager local = manager.newSubManager()) {
            return SparseSigmoid.apply(local.create(x), alpha).toFloatArray();
        }
    }

    private static void assertMatches(float[] x, float[] p, DoubleUnaryOperator expected) {
        for (int i = 0; i < x.length; i++) {
            assertThat((double) p[i]).as("x = %s", x[i]).isCloseTo(expected.applyAsDouble(x[i]), within(1e-6));
        }
    }

    @Test
    void alphaTwoIsTheClippedLine() {
        float[] x = grid();
        assertMatches(x, sigma(x, 2), v -> Math.min(1, Math.max(0, (v + 1) / 2)));
    }

    @Test
    void alphaThreeIsTheShiftedClip() {
        float[] x = grid();
        assertMatches(x, sigma(x, 3), v -> Math.min(1, Math.max(0, v + 0.5)));
    }

    @Test
    void alphaOneAndJustAboveIsTheLogisticSigmoid() {
        float[] x = grid();
        assertMatches(x, sigma(x, 1), v -> 1 / (1 + Math.exp(-v)));
        assertMatches(x, sigma(x, 1.005), v -> 1 / (1 + Math.exp(-v)));
    }

    @Test
    void infinityIsTheStep() {
        float[] x = {-1f, -1e-7f, 0f, 1e-7f, 2f};
        assertThat(sigma(x, Double.POSITIVE_INFINITY)).containsExactly(0f, 0f, 0f, 1f, 1f);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 1.02, 1.5, 2.0, 2.5, 3.0, 4.0, 8.0})
    void isSymmetricAndSolvesTheImplicitEquation(double alpha) {
        float[] x = grid();
        float[] negated = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            negated[i] = -x[i];
        }
        float[] p = sigma(x, alpha);
        float[] pNegated = sigma(negated, alpha);
        double band = alpha == 1 ? Double.POSITIVE_INFINITY : 1 / (alpha - 1);
        for (int i = 0; i < x.length; i++) {
            assertThat(pNegated[i] + p[i]).as("sigma(-x) + sigma(x) at x = %s", x[i]).isCloseTo(1f, within(2e-6f));
            assertThat(p[i]).isBetween(0f, 1f);
            if (alpha >= SparseSigmoid.LOGISTIC_BELOW && Math.abs(x[i]) < band) {
                double lhs = Math.pow(p[i], alpha - 1) - Math.pow(1 - p[i], alpha - 1);
                assertThat(lhs).as("implicit equation at x = %s", x[i]).isCloseTo((alpha - 1) * x[i], within(2e-5));
            } else if (x[i] >= band) {
                assertThat(p[i]).isEqualTo(1f);
            } else if (x[i] <= -band) {
                assertThat(p[i]).isEqualTo(0f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 1.5, 2.0, 3.0, 4.0, 8.0})
    void gradientMatchesFiniteDifferences(double alpha) {
        double band = alpha == 1 ? Double.POSITIVE_INFINITY : 1 / (alpha - 1);
        double h = 1e-4;  // small enough for the strong curvature near x = 0 at alpha = 8, large enough for float32
        float[] x = grid();
        float[] gradient;
        try (NDManager local = manager.newSubManager()) {
            NDArray input = local.create(x);
            input.setRequiresGradient(true);
            try (GradientCollector collector = engine.newGradientCollector()) {
                // The sum's gradient is the element-wise derivative: sigma_alpha acts element by element.
                collector.backward(SparseSigmoid.apply(input, alpha).sum());
            }
            gradient = input.getGradient().toFloatArray();
        }
        float[] plus = new float[x.length];
        float[] minus = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            plus[i] = (float) (x[i] + h);
            minus[i] = (float) (x[i] - h);
        }
        float[] up = sigma(plus, alpha);
        float[] down = sigma(minus, alpha);
        int compared = 0;
        for (int i = 0; i < x.length; i++) {
            // Skip the kinks at the band edges, where the derivative jumps.
            if (Math.abs(Math.abs(x[i]) - band) < 1e-3) {
                continue;
            }
            double numeric = (up[i] - down[i]) / (plus[i] - minus[i]);
            assertThat((double) gradient[i]).as("d sigma / dx at x = %s, alpha %s", x[i], alpha)
                    .isCloseTo(numeric, within(2e-3 + 3e-3 * Math.abs(numeric)));
            compared++;
        }
        assertThat(compared).isGreaterThan(x.length / 2);
    }
}
