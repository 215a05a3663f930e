package org.dcpserve.core.schedule;

import java.util.function.Function;
import org.dcpserve.core.generate.RequestField;
import org.dcpserve.core.generate.UnservableRequestException;

/** A request whose KV cache could never fit in the scheduler's budget, even alone. */
public final class KvBudgetExceededException extends UnservableRequestException {

    private final long needed;
    private final long budget;

    public KvBudgetExceededException(long needed, long budget) {
        super(RequestField.MAX_NEW_TOKENS);
        this.needed = needed;
        this.budget = budget;
    }

    @Override
    public String message(Function<RequestField, String> names) {
        return "the request needs up to " + needed + " bytes of KV cache but the server's budget is " + budget
                + " bytes; shorten the prompt or lower " + names.apply(RequestField.MAX_NEW_TOKENS);
    }
}
