package org.dcpserve.server.security;

/**
 * A known key (never the key itself): its name, which owns the traces it makes, its role and its own limits.
 *
 * @param requests requests per period, or null for the configured default
 * @param tokens   new tokens per period, or null for the configured default
 */
public record ApiKey(String name, Role role, Long requests, Long tokens) {

    public boolean admin() {
        return role == Role.ADMIN;
    }
}
