package org.dcpserve.server.openai;

import org.dcpserve.server.error.ErrorFormat;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * On /v1 routes, an error leaves in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, with the
 * status and message the shared error handling gave it; the message already names the fields as OpenAI's
 * requests do (the adapter renames the generation request's, {@link OpenAiFieldNames}).
 */
@Component
class OpenAiErrorFormat implements ErrorFormat {

    @Override
    public boolean serves(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    @Override
    public MediaType contentType() {
        return MediaType.APPLICATION_JSON;
    }

    @Override
    public Object body(ProblemDetail problem) {
        String message = problem.getDetail() != null ? problem.getDetail() : problem.getTitle();
        Object param = problem.getProperties() == null ? null : problem.getProperties().get("param");
        Object code = problem.getProperties() == null ? null : problem.getProperties().get("code");
        if (code == null && "Not supported".equals(problem.getTitle())) {
            code = "unsupported_parameter";
        }
        return new OpenAiResponses.ErrorBody(new OpenAiResponses.Error(message, type(problem.getStatus()),
                param == null ? null : param.toString(), code == null ? null : code.toString()));
    }

    private static String type(int status) {
        return switch (status) {
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 500, 502, 503 -> "server_error";
            default -> "invalid_request_error";
        };
    }
}
