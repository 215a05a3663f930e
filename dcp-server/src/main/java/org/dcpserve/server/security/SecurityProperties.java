package org.dcpserve.server.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys, under {@code dcp.security.*}. Off by default: every route is open, as the one-line run command needs.
 *
 * @param enabled   every route except health, the web pages and Swagger UI needs {@code Authorization: Bearer <key>}
 * @param apiKeys   keys from the configuration (more may be in the database's api_key table)
 * @param rateLimit the limits of a key that sets none
 */
@ConfigurationProperties("dcp.security")
public record SecurityProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue List<ConfiguredKey> apiKeys,
        @DefaultValue RateLimit rateLimit) {

    /**
     * One key. Give either the key itself or its SHA-256 (hex), so the configuration need not hold a working key.
     *
     * @param requests requests per period, or null for the default
     * @param tokens   new tokens per period (max_new_tokens charged on admission), or null for the default
     */
    public record ConfiguredKey(String name, String key, String sha256, @DefaultValue("user") Role role, Long requests,
                                Long tokens) {
    }

    /**
     * @param period   the window both limits refill over
     * @param requests requests per period per key; null: unlimited
     * @param tokens   new tokens per period per key; null: unlimited
     */
    public record RateLimit(@DefaultValue("1m") Duration period, Long requests, Long tokens) {
    }
}
