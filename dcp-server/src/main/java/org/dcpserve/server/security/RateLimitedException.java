package org.dcpserve.server.security;

/** A key spent its requests or tokens of the period; it may try again after {@code retryAfterSeconds}. */
public class RateLimitedException extends RuntimeException {

    private final long retryAfterSeconds;

    RateLimitedException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
