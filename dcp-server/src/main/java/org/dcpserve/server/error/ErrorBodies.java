package org.dcpserve.server.error;

import jakarta.servlet.RequestDispatcher;
import java.util.List;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Every problem detail leaves in its route's wire format: as the body of the {@link ErrorFormat} that serves the
 * path (OpenAI's on /v1), else as the problem detail with TGI's error members ({@link TgiErrorMembers}).
 */
@RestControllerAdvice
class ErrorBodies implements ResponseBodyAdvice<Object> {

    private final List<ErrorFormat> formats;

    ErrorBodies(List<ErrorFormat> formats) {
        this.formats = formats;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        if (!(body instanceof ProblemDetail problem)) {
            return body;
        }
        String path = originalPath(request);
        for (ErrorFormat format : formats) {
            if (format.serves(path)) {
                response.getHeaders().setContentType(format.contentType());
                return format.body(problem);
            }
        }
        TgiErrorMembers.decorate(problem);
        // The instance is the request's path, the client's input too: a long one is not repeated.
        if (problem.getInstance() != null && problem.getInstance().toString().length() > Echo.MAX_CHARS) {
            problem.setInstance(null);
        }
        return problem;
    }

    /** The path the client asked for, also when Tomcat forwarded its error to /error. */
    private static String originalPath(ServerHttpRequest request) {
        if (request instanceof ServletServerHttpRequest servlet
                && servlet.getServletRequest().getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) {
            return uri;
        }
        return request.getURI().getPath();
    }
}
