package org.dcpserve.train.model;

/**
 * Whether a trainable model gets DCP gates, and how new ones are initialised.
 *
 * <p>With {@code enabled}, gates already present in the base (config.dcp() and wq_int/wk_int in the
 * weights) are kept as they are; otherwise new ones are made: Wq_int, Wk_int ~ N(0, 1/d) of rank
 * {@code rank}, beta = {@code betaInit} in every layer (method.md section 1). Without {@code enabled}
 * the model has no gates, even if the base had some (a dense or sliding-window fine-tune).
 *
 * @param enabled  whether the model has gates
 * @param rank     interaction rank r for new gates
 * @param betaInit initial beta for new gates (2.0: most tokens start kept)
 * @param seed     seed of the N(0, 1/d) initialisation
 */
public record GateSetup(boolean enabled, int rank, float betaInit, long seed) {

    public static final float DEFAULT_BETA = 2.0f;

    public static GateSetup none() {
        return new GateSetup(false, 0, 0f, 0L);
    }

    public static GateSetup dcp(int rank, long seed) {
        return new GateSetup(true, rank, DEFAULT_BETA, seed);
    }

    public GateSetup {
        if (enabled && rank < 1) {
            throw new IllegalArgumentException("gate rank must be positive, got " + rank);
        }
    }
}
