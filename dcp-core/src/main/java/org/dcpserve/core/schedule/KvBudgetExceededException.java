package org.dcpserve.core.schedule;

/** A request whose KV cache could never fit in the scheduler's budget, even alone. */
public final class KvBudgetExceededException extends IllegalArgumentException {

    public KvBudgetExceededException(long needed, long budget) {
        super("the request needs up to " + needed + " bytes of KV cache but the server's budget is " + budget
                + " bytes; shorten the prompt or lower max_new_tokens");
    }
}
