package org.dcpserve.server.error;

import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Every problem detail also carries TGI's error members (RFC 9457 extension members): {@code error}, the detail,
 * and {@code error_type} (validation, overloaded, generation, ...), which Hugging Face clients show their users.
 */
@RestControllerAdvice
@Order(0)
class TgiErrorMembers implements ResponseBodyAdvice<Object> {

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        if (body instanceof ProblemDetail problem) {
            decorate(problem);
            // The instance is the request's path, the client's input too: a long one is not repeated.
            if (problem.getInstance() != null && problem.getInstance().toString().length() > Echo.MAX_CHARS) {
                problem.setInstance(null);
            }
        }
        return body;
    }

    /** Adds error and error_type to a problem detail (once). */
    static void decorate(ProblemDetail problem) {
        if (problem.getProperties() == null || !problem.getProperties().containsKey("error")) {
            problem.setProperty("error", problem.getDetail() != null ? problem.getDetail() : problem.getTitle());
            problem.setProperty("error_type", errorType(problem.getStatus()));
        }
    }

    /** TGI's error types by status: 422 validation, 429 overloaded, 424/500 generation; ours for the rest. */
    public static String errorType(int status) {
        return switch (status) {
            case 400, 405, 406, 413, 415, 422 -> "validation";
            case 404 -> "not_found";
            case 429 -> "overloaded";
            case 503 -> "unavailable";
            default -> "generation";
        };
    }
}
