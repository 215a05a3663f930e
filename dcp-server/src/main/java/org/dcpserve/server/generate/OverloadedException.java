package org.dcpserve.server.generate;

/** Every generation slot stayed busy for longer than the configured wait. */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message);
    }
}
