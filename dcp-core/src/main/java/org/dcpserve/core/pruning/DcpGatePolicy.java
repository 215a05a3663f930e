package org.dcpserve.core.pruning;

import org.dcpserve.core.model.ModelConfig;

/**
 * Dynamic Context Pruning's learned gate at inference (method.md section 5): the voter m keeps token j
 * iff {@code <q_int[m], k_int[j]> / sqrt(r) + beta[layer] > 0}, the alpha -> infinity limit of
 * sigma_alpha.
 */
public final class DcpGatePolicy implements PruningPolicy {

    private final float[] beta;
    private final int rank;
    private final float inverseSqrtRank;

    public DcpGatePolicy(ModelConfig.DcpSpec dcp) {
        this.beta = dcp.beta().clone();
        this.rank = dcp.rank();
        this.inverseSqrtRank = (float) (1.0 / Math.sqrt(rank));
    }

    @Override
    public String name() {
        return "dcp";
    }

    @Override
    public boolean usesInteractionKeys() {
        return true;
    }

    @Override
    public void vote(Ballot ballot, boolean[] keep) {
        float[] q = ballot.queries();
        int offset = ballot.queryOffset();
        float bias = beta[ballot.layer()];
        for (int i = 0; i < ballot.count(); i++) {
            float score = ballot.cache().interactionDot(ballot.candidateSlot(i), q, offset) * inverseSqrtRank + bias;
            keep[i] = score > 0f;
        }
    }
}
