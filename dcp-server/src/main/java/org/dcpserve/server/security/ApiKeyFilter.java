package org.dcpserve.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>} (what the OpenAI and Hugging Face clients send) and counts the
 * request against the key's request limit. A request without the header goes on anonymous (the authorization rules
 * then decide: public pages pass, the API answers 401); a malformed header or an unknown key is a 401 on any route,
 * so a client learns at once that its key is wrong.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";

    private final ApiKeyStore keys;
    private final RateLimiter limits;
    private final SecurityErrors errors;
    /** Where the async dispatch of a streamed response finds the authentication again. */
    private final SecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();

    ApiKeyFilter(ApiKeyStore keys, RateLimiter limits, SecurityErrors errors) {
        this.keys = keys;
        this.limits = limits;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            chain.doFilter(request, response);
            return;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
            errors.commence(request, response, new BadCredentialsException(
                    "the Authorization header must be 'Bearer <API key>'"));
            return;
        }
        ApiKey key = keys.find(header.substring(BEARER.length()).strip());
        if (key == null) {
            errors.commence(request, response, new BadCredentialsException("the API key is not valid"));
            return;
        }
        try {
            limits.admitRequest(key);
        } catch (RateLimitedException e) {
            errors.answer(request, response, e);
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new ApiKeyAuthentication(key));
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        chain.doFilter(request, response);
    }
}
