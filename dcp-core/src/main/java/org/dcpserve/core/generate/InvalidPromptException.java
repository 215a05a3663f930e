package org.dcpserve.core.generate;

/** A request the model cannot serve as asked; the message says what to change. */
public final class InvalidPromptException extends IllegalArgumentException {

    public InvalidPromptException(String message) {
        super(message);
    }
}
