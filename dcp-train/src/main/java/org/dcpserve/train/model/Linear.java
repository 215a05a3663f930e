package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/** y = x · W (+ b): weights are input-major [in, out], the canonical layout of ModelWeights. */
final class Linear {

    private Linear() {
    }

    /** x [..., in], w [in, out], b [out] or null -> [..., out] */
    static NDArray apply(NDArray x, NDArray w, NDArray b) {
        NDArray y = x.matMul(w);
        return b == null ? y : y.add(b);
    }
}
