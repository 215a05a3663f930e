package org.dcpserve.server.error;

import java.util.stream.Collectors;
import org.dcpserve.core.generate.InvalidPromptException;
import org.dcpserve.server.generate.OverloadedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error leaves as an RFC 9457 problem detail. As in TGI, a well-formed request the model cannot
 * serve is 422, an overloaded server 429; unreadable JSON is 400. A stack trace never reaches a client.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(ApiExceptionHandler::describe)
                .sorted()
                .collect(Collectors.joining("; "));
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid request", detail);
        return ResponseEntity.unprocessableContent().body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Unreadable request body",
                "the body must be a JSON object like {\"inputs\": \"...\", \"parameters\": {...}}: "
                        + firstLine(ex.getMostSpecificCause().getMessage()));
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler({InvalidPromptException.class, IllegalArgumentException.class})
    ProblemDetail invalidPrompt(IllegalArgumentException ex) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Request cannot be served", ex.getMessage());
    }

    @ExceptionHandler(OverloadedException.class)
    ProblemDetail overloaded(OverloadedException ex) {
        return problem(HttpStatus.TOO_MANY_REQUESTS, "Overloaded", ex.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception ex) {
        log.error("Generation failed", ex);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Generation failed",
                "the server could not complete the request; the log has the cause");
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }

    private static String describe(FieldError error) {
        Object rejected = error.getRejectedValue();
        boolean showValue = rejected != null && !(rejected instanceof String text && text.isBlank());
        return "'" + snakeCase(error.getField()) + "' " + error.getDefaultMessage()
                + (showValue ? " (got " + rejected + ")" : "");
    }

    /** Field paths as the client wrote them: parameters.maxNewTokens -> parameters.max_new_tokens. */
    private static String snakeCase(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // Jackson appends source locations after " at [Source"; the first clause is the useful part.
        int source = line.indexOf(" at [Source");
        String clause = source < 0 ? line : line.substring(0, source);
        // Internal class names mean nothing to a client.
        return clause.replaceAll(" \\(class [^)]*\\)", "").replaceAll("`org\\.dcpserve[^`]*`", "the request");
    }
}
