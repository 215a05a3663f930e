package org.dcpserve.server.generate;

/** A TGI or OpenAI parameter this server accepts on the wire but cannot honour with the value given (422). */
public class UnsupportedParameterException extends RuntimeException {

    private final String parameter;

    public UnsupportedParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The parameter as the client wrote it, e.g. parameters.best_of. */
    public String parameter() {
        return parameter;
    }
}
