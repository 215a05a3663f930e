package org.dcpserve.server.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated by an API key; an admin key holds both roles. */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final ApiKey key;

    ApiKeyAuthentication(ApiKey key) {
        super(key.admin() ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER")));
        this.key = key;
        setAuthenticated(true);
    }

    ApiKey key() {
        return key;
    }

    @Override
    public Object getCredentials() {
        // The key itself is not kept once it has been looked up.
        return null;
    }

    @Override
    public Object getPrincipal() {
        return key.name();
    }
}
