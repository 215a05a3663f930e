package org.dcpserve.server.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.dcpserve.server.error.InvalidRequestException;
import org.dcpserve.server.error.InvalidRequestException.Violation;
import org.springframework.stereotype.Component;

/**
 * Per-key limits as Bucket4j token buckets: one for requests, one for new tokens, each holding the key's limit and
 * refilling it evenly over the period (greedy refill: a request's worth is back after period / limit). A limit left
 * unset (on the key and in the defaults) is no bucket at all. Buckets live in memory, per process.
 */
@Component
class RateLimiter {

    private final SecurityProperties.RateLimit defaults;
    /** Keyed by the whole key record, so a stored key whose limits were changed gets new buckets. */
    private final ConcurrentMap<ApiKey, Buckets> buckets = new ConcurrentHashMap<>();

    RateLimiter(SecurityProperties properties) {
        this.defaults = properties.rateLimit();
        positive(defaults.requests(), "dcp.security.rate-limit.requests");
        positive(defaults.tokens(), "dcp.security.rate-limit.tokens");
        properties.apiKeys().forEach(k -> {
            positive(k.requests(), "requests of dcp.security.api-keys entry '" + k.name() + "'");
            positive(k.tokens(), "tokens of dcp.security.api-keys entry '" + k.name() + "'");
        });
    }

    private static void positive(Long limit, String what) {
        if (limit != null && limit < 1) {
            throw new IllegalStateException(what + " is " + limit + "; a limit is at least 1 (leave it out for none)");
        }
    }

    /** Counts one request of {@code key}; throws RateLimitedException if its period's requests are spent. */
    void admitRequest(ApiKey key) {
        Bucket requests = buckets(key).requests();
        if (requests != null) {
            consume(requests, 1, "requests");
        }
    }

    /** Refuses (422) a generation of more tokens than {@code key} may ever generate in one period. */
    void checkTokens(ApiKey key, int maxNewTokens) {
        long limit = limit(key.tokens(), defaults.tokens());
        if (limit >= 0 && maxNewTokens > limit) {
            throw InvalidRequestException.of(List.of(new Violation("parameters.max_new_tokens",
                    name -> Violation.leaf(name) + " is " + maxNewTokens + " but this API key may generate at most "
                            + limit + " tokens per " + describe(defaults.period()) + "; ask for fewer")));
        }
    }

    /**
     * Charges {@code maxNewTokens} to {@code key} as its generation is admitted (the most it can produce: what
     * OpenAI's limits count too; tokens a generation did not use are not given back).
     */
    void chargeTokens(ApiKey key, int maxNewTokens) {
        Bucket tokens = buckets(key).tokens();
        if (tokens != null) {
            consume(tokens, maxNewTokens, "new tokens");
        }
    }

    /** Gives back a charge whose generation the scheduler refused. */
    void refundTokens(ApiKey key, int maxNewTokens) {
        Bucket tokens = buckets(key).tokens();
        if (tokens != null) {
            tokens.addTokens(maxNewTokens);
        }
    }

    private void consume(Bucket bucket, long amount, String what) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(amount);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            throw new RateLimitedException("this API key has used its " + what + " of the last "
                    + describe(defaults.period()) + "; retry after " + seconds + " s", seconds);
        }
    }

    private Buckets buckets(ApiKey key) {
        return buckets.computeIfAbsent(key, k -> new Buckets(bucket(limit(k.requests(), defaults.requests())),
                bucket(limit(k.tokens(), defaults.tokens()))));
    }

    private static long limit(Long own, Long fallback) {
        return own != null ? own : fallback != null ? fallback : -1;
    }

    private Bucket bucket(long limit) {
        return limit < 0 ? null : Bucket.builder()
                .addLimit(l -> l.capacity(limit).refillGreedy(limit, defaults.period()))
                .build();
    }

    private static String describe(Duration period) {
        return period.equals(Duration.ofMinutes(1)) ? "minute" : period.toMillis() % 1000 == 0
                ? period.toSeconds() + " s" : period.toMillis() + " ms";
    }

    private record Buckets(Bucket requests, Bucket tokens) {
    }
}
