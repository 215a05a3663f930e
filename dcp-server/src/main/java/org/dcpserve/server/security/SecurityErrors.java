package org.dcpserve.server.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Answers what the security filters refuse (no or a bad key, a user key on an admin route, a spent rate limit) through
 * Spring MVC's exception resolvers, so these errors get the same problem details as every other: TGI's error members,
 * OpenAI's shape on /v1 ({@link SecurityProblems} builds them).
 */
final class SecurityErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final HandlerExceptionResolver resolver;

    SecurityErrors(HandlerExceptionResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        answer(request, response, e);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) {
        answer(request, response, e);
    }

    void answer(HttpServletRequest request, HttpServletResponse response, RuntimeException e) {
        resolver.resolveException(request, response, null, e);
    }
}
