package org.dcpserve.core.engine;

/** A sequence would grow past the positions the model was trained for. */
public final class ContextLengthExceededException extends IllegalArgumentException {

    private final int requested;
    private final int contextLength;

    public ContextLengthExceededException(int requested, int contextLength) {
        super("the sequence needs " + requested + " positions but the model's context length is " + contextLength);
        this.requested = requested;
        this.contextLength = contextLength;
    }

    public int requested() {
        return requested;
    }

    public int contextLength() {
        return contextLength;
    }
}
