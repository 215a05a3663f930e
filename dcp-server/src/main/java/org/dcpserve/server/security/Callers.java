package org.dcpserve.server.security;

import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The caller of the current request, from its security context (so call it on the request's thread). Fails closed:
 * with keys on, a request that reached an owner-filtered feature without a key is refused, never shown everything.
 */
@Component
public class Callers {

    private final boolean keysOn;

    Callers(SecurityProperties properties) {
        this.keysOn = properties.enabled();
    }

    public Caller current() {
        if (!keysOn) {
            return Caller.KEYS_OFF;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof ApiKeyAuthentication apiKey) {
            return new Caller(apiKey.key().name(), apiKey.key().admin());
        }
        throw new AuthenticationCredentialsNotFoundException("this route needs an API key: send Authorization: Bearer <key>");
    }

    /** The calling key, or null when keys are off. */
    ApiKey currentKey() {
        return keysOn && SecurityContextHolder.getContext().getAuthentication() instanceof ApiKeyAuthentication apiKey
                ? apiKey.key() : null;
    }
}
