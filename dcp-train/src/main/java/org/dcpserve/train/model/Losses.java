package org.dcpserve.train.model;

import ai.djl.ndarray.NDArray;

/** The language-modelling loss, shared by training and evaluation. */
public final class Losses {

    private Losses() {
    }

    /**
     * Next-token cross-entropy, the mean over all positions of -log p(target).
     *
     * @param logits  [B, n, V]
     * @param targets int64 [B, n], the inputs shifted by one
     * @return a scalar []
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray logProbs = logits.logSoftmax(-1);                                   // [B, n, V]
        return logProbs.gather(targets.expandDims(-1), -1).mean().neg();            // []
    }
}
