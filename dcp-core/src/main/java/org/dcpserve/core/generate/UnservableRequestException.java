package org.dcpserve.core.generate;

import java.util.function.Function;

/**
 * A well-formed request the engine cannot serve as asked. It keeps the field to fix and words its message for
 * whichever wire format the request came in: each names the request's fields its own way, and may lack some
 * (then the advice to change that field is left out).
 */
public abstract class UnservableRequestException extends IllegalArgumentException {

    private final RequestField field;

    protected UnservableRequestException(RequestField field) {
        this.field = field;
    }

    /** The field the client should change. */
    public RequestField field() {
        return field;
    }

    /**
     * The message with the fields named by {@code names}, which answers null for a field its wire format does not
     * have.
     */
    public abstract String message(Function<RequestField, String> names);

    /** The message as TGI's wire names the fields. */
    @Override
    public String getMessage() {
        return message(RequestField::tgiName);
    }
}
