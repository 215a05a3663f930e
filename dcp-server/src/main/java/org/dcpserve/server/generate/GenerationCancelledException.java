package org.dcpserve.server.generate;

/** A generation that ended without a result: cancelled, or the scheduler closed while it ran (503). */
public class GenerationCancelledException extends RuntimeException {

    public GenerationCancelledException(Throwable cause) {
        super("the generation was stopped before it finished (the service may be shutting down); retry", cause);
    }
}
