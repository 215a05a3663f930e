package org.dcpserve.server.security;

import org.springframework.stereotype.Component;

/**
 * What the generation service asks of the calling key, on the request's thread (where the key is known): who owns
 * the generation, and the charge of its tokens, made as the scheduler takes it and given back if it refuses.
 */
@Component
public class ApiKeyAdmission {

    /** Tokens charged to a key for one generation. */
    @FunctionalInterface
    public interface TokenCharge {

        /** No key (keys are off): nothing to give back. */
        TokenCharge NONE = () -> { };

        /** Gives the tokens back: the generation was refused, or withdrawn before it ran. */
        void refund();
    }

    private final Callers callers;
    private final RateLimiter limits;

    ApiKeyAdmission(Callers callers, RateLimiter limits) {
        this.callers = callers;
        this.limits = limits;
    }

    /**
     * The calling key's name, which owns the generation's trace; null when keys are off.
     *
     * @throws org.dcpserve.server.error.InvalidRequestException if {@code maxNewTokens} passes the key's token limit
     *         of a whole period (422: it could never be admitted)
     */
    public String owner(int maxNewTokens) {
        ApiKey key = callers.currentKey();
        if (key == null) {
            return null;
        }
        limits.checkTokens(key, maxNewTokens);
        return key.name();
    }

    /**
     * Charges {@code maxNewTokens} to the calling key's token limit.
     *
     * @throws RateLimitedException if the key's tokens of the period are spent (429)
     */
    public TokenCharge charge(int maxNewTokens) {
        ApiKey key = callers.currentKey();
        if (key == null) {
            return TokenCharge.NONE;
        }
        limits.chargeTokens(key, maxNewTokens);
        return () -> limits.refundTokens(key, maxNewTokens);
    }
}
