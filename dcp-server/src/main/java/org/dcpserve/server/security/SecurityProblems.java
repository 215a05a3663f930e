package org.dcpserve.server.security;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Problem details for the security errors, whether a filter or a controller raised them. Each sets TGI's error and
 * error_type members itself and a {@code code} that the OpenAI adapter's error shape passes on (OpenAI's own codes).
 * Ordered first: the shared handler's catch-all would otherwise take these exceptions as a 500.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityProblems {

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthorized(AuthenticationException e) {
        // RFC 6750: a key that was sent but is wrong is an invalid_token; a missing one only names the scheme.
        String challenge = e instanceof BadCredentialsException ? "Bearer realm=\"dcp-serve\", error=\"invalid_token\""
                : "Bearer realm=\"dcp-serve\"";
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, challenge)
                .body(problem(HttpStatus.UNAUTHORIZED, "Unauthorized", e instanceof InsufficientAuthenticationException
                        ? "this route needs an API key: send the header Authorization: Bearer <key>" : e.getMessage(),
                        "authentication", "invalid_api_key"));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ProblemDetail forbidden(AccessDeniedException e) {
        return problem(HttpStatus.FORBIDDEN, "Forbidden", "this route needs an admin API key", "authorization",
                "insufficient_permissions");
    }

    @ExceptionHandler(RateLimitedException.class)
    ResponseEntity<ProblemDetail> rateLimited(RateLimitedException e) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .body(problem(HttpStatus.TOO_MANY_REQUESTS, "Rate limit reached", e.getMessage(), "rate_limit",
                        "rate_limit_exceeded"));
    }

    @ExceptionHandler(KeyNameTakenException.class)
    ProblemDetail nameTaken(KeyNameTakenException e) {
        return problem(HttpStatus.CONFLICT, "Key name taken", e.getMessage(), "validation", null);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail, String errorType, String code) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setProperty("error", detail);
        problem.setProperty("error_type", errorType);
        if (code != null) {
            problem.setProperty("code", code);
        }
        return problem;
    }
}
