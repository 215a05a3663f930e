package org.dcpserve.server.openai;

import jakarta.servlet.RequestDispatcher;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * On /v1 routes, an error leaves in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, with the
 * same status and message the shared error handling gave it, the names in the message translated to OpenAI's
 * (max_new_tokens is max_tokens there).
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors implements ResponseBodyAdvice<Object> {

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        String path = originalPath(request);
        if (!(body instanceof ProblemDetail problem) || !(path.equals("/v1") || path.startsWith("/v1/"))) {
            return body;
        }
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        String message = openAiNames(problem.getDetail() != null ? problem.getDetail() : problem.getTitle());
        Object param = problem.getProperties() == null ? null : problem.getProperties().get("param");
        Object code = problem.getProperties() == null ? null : problem.getProperties().get("code");
        if (code == null && "Not supported".equals(problem.getTitle())) {
            code = "unsupported_parameter";
        }
        return new OpenAiResponses.ErrorBody(new OpenAiResponses.Error(message, type(problem.getStatus()),
                param == null ? null : openAiNames(param.toString()), code == null ? null : code.toString()));
    }

    /** The path the client asked for, also when Tomcat forwarded its error to /error. */
    private static String originalPath(ServerHttpRequest request) {
        if (request instanceof ServletServerHttpRequest servlet
                && servlet.getServletRequest().getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) {
            return uri;
        }
        return request.getURI().getPath();
    }

    static String type(int status) {
        return switch (status) {
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 500, 502, 503 -> "server_error";
            default -> "invalid_request_error";
        };
    }

    /** The generation request's field names, as an OpenAI client wrote them. */
    static String openAiNames(String text) {
        return text.replace(" like {\"inputs\": \"...\", \"parameters\": {...}}", "")
                .replace(", or set parameters.truncate", "")
                .replace("parameters.max_new_tokens", "max_tokens")
                .replace("max_new_tokens", "max_tokens")
                .replace("parameters.top_n_tokens", "logprobs")
                .replace("'inputs'", "'prompt'")
                .replace("parameters.", "");
    }
}
