package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/**
 * y = x · W (+ b): weights are input-major [in, out], the canonical layout of ModelWeights.
 *
 * @param weight [in, out]
 * @param bias   [out], or null for a map without bias
 */
record Linear(NDArray weight, NDArray bias) {

    /** x [..., in] -> [..., out] */
    NDArray apply(NDArray x) {
        NDArray y = x.matMul(weight);
        return bias == null ? y : y.add(bias);
    }
}
