package org.dcpserve.core.pruning;

import java.util.Arrays;

/** Keeps everything: the unpruned model. */
public final class DensePolicy implements PruningPolicy {

    public static final DensePolicy INSTANCE = new DensePolicy();

    private DensePolicy() {
    }

    @Override
    public String name() {
        return "dense";
    }

    @Override
    public void vote(Ballot ballot, boolean[] keep) {
        Arrays.fill(keep, 0, ballot.count(), true);
    }
}
