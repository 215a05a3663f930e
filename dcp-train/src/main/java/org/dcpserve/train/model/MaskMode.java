package org.dcpserve.train.model;

/**
 * Which tokens each query may attend to in a forward pass. Every mode includes the causal mask.
 *
 * <ul>
 *   <li>{@link Dense}: causal only, the unpruned model.</li>
 *   <li>{@link Dcp}: the trainable soft gate of method.md, keep votes {@code sigma_alpha(s)}.</li>
 *   <li>{@link DcpHard}: alpha = infinity, votes {@code 1[s > 0]}: exactly what the inference engine
 *       decides, so logits in this mode are the served model's (parity tests, inference-equivalent eval).</li>
 *   <li>{@link SlidingWindow}: each query sees only the last {@code window} positions, itself included
 *       (the local-attention baseline, the engine's {@code SlidingWindowPolicy}).</li>
 * </ul>
 */
public sealed interface MaskMode {

    MaskMode DENSE = new Dense();
    MaskMode DCP_HARD = new DcpHard();

    static MaskMode dcp(double alpha) {
        return new Dcp(alpha);
    }

    static MaskMode slidingWindow(int window) {
        return new SlidingWindow(window);
    }

    /** Whether this mode needs the model's interaction gates. */
    default boolean usesGates() {
        return this instanceof Dcp || this instanceof DcpHard;
    }

    record Dense() implements MaskMode {
    }

    /** @param alpha the sparse sigmoid's alpha: 1 is the logistic sigmoid, larger is closer to a step */
    record Dcp(double alpha) implements MaskMode {
        public Dcp {
            if (!(alpha >= 1)) {
                throw new IllegalArgumentException("alpha must be >= 1, got " + alpha);
            }
        }
    }

    record DcpHard() implements MaskMode {
    }

    record SlidingWindow(int window) implements MaskMode {
        public SlidingWindow {
            if (window < 1) {
                throw new IllegalArgumentException("the window must hold at least one token, got " + window);
            }
        }
    }
}
