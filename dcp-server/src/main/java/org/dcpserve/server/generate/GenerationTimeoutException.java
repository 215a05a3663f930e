package org.dcpserve.server.generate;

import java.time.Duration;

/** A generation that did not finish within dcp.generation-timeout, queue included; it was cancelled (503). */
public class GenerationTimeoutException extends RuntimeException {

    public GenerationTimeoutException(Duration timeout) {
        super("the generation did not finish within " + timeout.toSeconds() + " s (dcp.generation-timeout) and was"
                + " stopped; retry later or ask for fewer tokens");
    }
}
