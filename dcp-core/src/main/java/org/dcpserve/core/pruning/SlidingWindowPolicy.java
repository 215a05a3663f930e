package org.dcpserve.core.pruning;

/**
 * The local-attention baseline: every token sees only the last {@code window} tokens (itself
 * included), so token j is dropped by the token at j + window.
 */
public final class SlidingWindowPolicy implements PruningPolicy {

    private final int window;

    public SlidingWindowPolicy(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the window must hold at least one token");
        }
        this.window = window;
    }

    public int window() {
        return window;
    }

    @Override
    public String name() {
        return "sliding_window";
    }

    @Override
    public void vote(Ballot ballot, boolean[] keep) {
        for (int i = 0; i < ballot.count(); i++) {
            keep[i] = ballot.voterPosition() - ballot.candidatePosition(i) < window;
        }
    }
}
