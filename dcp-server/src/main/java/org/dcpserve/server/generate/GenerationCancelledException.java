package org.dcpserve.server.generate;

/** A generation that ended without a result: cancelled, or the scheduler closed while it ran (503). */
public class GenerationCancelledException extends RuntimeException {

    public GenerationCancelledException(Throwable cause) {
        super("the generation was stopped before it finished (the service may be shutting down); retry", cause);
    }

    private GenerationCancelledException(String message) {
        super(message);
    }

    /** The client closed its connection while it waited: its generation was stopped (the answer goes nowhere). */
    static GenerationCancelledException clientGone() {
        return new GenerationCancelledException("the client closed its connection; the generation was stopped");
    }
}
