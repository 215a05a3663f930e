package org.dcpserve.server.security;

import org.springframework.stereotype.Component;

/** What the generation service asks of the calling key before a generation takes a place in the queue. */
@Component
public class ApiKeyAdmission {

    private final Callers callers;
    private final RateLimiter limits;

    ApiKeyAdmission(Callers callers, RateLimiter limits) {
        this.callers = callers;
        this.limits = limits;
    }

    /**
     * Charges {@code maxNewTokens} to the calling key's token limit (on the request's thread).
     *
     * @return the key's name, which owns the generation's trace; null when keys are off
     * @throws RateLimitedException if the key's tokens of the period are spent (429)
     */
    public String admit(int maxNewTokens) {
        ApiKey key = callers.currentKey();
        if (key == null) {
            return null;
        }
        limits.admitTokens(key, maxNewTokens);
        return key.name();
    }
}
