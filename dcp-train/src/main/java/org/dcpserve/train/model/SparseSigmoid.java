package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The sparse sigmoid sigma_alpha(x) = alpha-entmax([x, 0])_1 of method.md section 3, element-wise
 * over a whole score tensor, differentiable.
 *
 * <pre>
 * p = 1                                   if x >=  1/(alpha-1)
 * p = 0                                   if x <= -1/(alpha-1)
 * p^(alpha-1) - (1-p)^(alpha-1) = (alpha-1) x      otherwise
 * dp/dx = 1 / (p^(alpha-2) + (1-p)^(alpha-2))      inside the band, 0 outside
 * </pre>
 *
 * DJL has no custom autograd functions, so the root is found without gradient tracking (bisection)
 * and the implicit derivative is attached with a straight-through construction:
 * {@code p = stop(p*) + (x - stop(x)) * stop(dp/dx)}. Its value is exactly p* (the second term is
 * exactly zero) and its gradient with respect to x is exactly dp/dx.
 */
public final class SparseSigmoid {

    /**
     * Below this alpha the logistic closed form is used: the implicit equation's two powers are both
     * close to 1 there and their difference cancels catastrophically in float32.
     */
    public static final double LOGISTIC_BELOW = 1.01;
    /** Halvings of the initial step 1/4: the last is 0.25 * 2^-25 ~ 7e-9, below float32 resolution near 1/2. */
    static final int BISECTION_STEPS = 26;

    private SparseSigmoid() {
    }

    /** sigma_alpha(x) for any alpha >= 1 (infinity gives the step); same shape as x. */
    public static NDArray apply(NDArray x, double alpha) {
        if (Double.isInfinite(alpha)) {
            return step(x);
        }
        if (alpha < LOGISTIC_BELOW) {
            return x.getNDArrayInternal().sigmoid();
        }
        NDManager outer = x.getManager();
        NDArray root;
        NDArray slope;
        try (NDManager scratch = outer.newSubManager()) {
            // The bisection's many temporaries live in a scratch manager and are freed right away.
            NDArray xs = x.stopGradient();
            xs.attach(scratch);
            double band = 1.0 / (alpha - 1);
            NDArray inside = xs.abs().lt(band);                                       // bool, inside the band
            root = xs.gte(band).toType(DataType.FLOAT32, false);                      // 1 above the band, else 0
            slope = scratch.zeros(xs.getShape());                                     // dp/dx = 0 outside the band
            // Only entries inside the band need the root: solve for those alone, packed into a vector
            // (fewer elements, and no subnormal powers from entries driven towards p = 0 or 1).
            NDArray band1d = xs.booleanMask(inside);                                  // [K]
            if (band1d.size() > 0) {
                NDArray target = band1d.mul(alpha - 1);                               // (alpha-1) x in (-1, 1)
                // p and q = 1 - p are tracked separately so that q keeps its relative precision near p = 1.
                NDArray p = scratch.full(band1d.getShape(), 0.5f);
                NDArray q = scratch.full(band1d.getShape(), 0.5f);
                double half = 0.25;
                for (int i = 0; i < BISECTION_STEPS; i++) {
                    // f(p) = p^(a-1) - (1-p)^(a-1) - target rises with p: move down where f > 0.
                    NDArray f = p.pow(alpha - 1).sub(q.pow(alpha - 1)).sub(target);   // [K]
                    NDArray move = f.sign().mul(half);
                    p = p.sub(move);
                    q = q.add(move);
                    half /= 2;
                }
                // dp/dx from the implicit function theorem. It is finite everywhere (at most
                // 2^(alpha-2), or 1 for alpha < 2), so the straight-through product is never NaN.
                NDArray derivative = p.pow(alpha - 2).add(q.pow(alpha - 2)).getNDArrayInternal().rdiv(1f); // [K]
                NDIndex where = new NDIndex("{}", inside);
                root.set(where, p);
                slope.set(where, derivative);
            }
            root.attach(outer);
            slope.attach(outer);
        }
        NDArray detachedX = x.stopGradient();
        return root.add(x.sub(detachedX).mul(slope));
    }

    /** The alpha = infinity limit: 1 where x > 0, else 0 (as the engine's gate: keep iff score > 0). */
    public static NDArray step(NDArray x) {
        return x.gt(0).toType(DataType.FLOAT32, false);
    }
}
