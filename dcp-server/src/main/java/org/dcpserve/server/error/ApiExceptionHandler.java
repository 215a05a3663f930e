package org.dcpserve.server.error;

import java.net.SocketTimeoutException;
import java.util.UUID;
import java.util.stream.Collectors;
import org.dcpserve.core.engine.ContextLengthExceededException;
import org.dcpserve.core.generate.UnservableRequestException;
import org.dcpserve.core.schedule.QueueFullException;
import org.dcpserve.core.schedule.SchedulerUnavailableException;
import org.dcpserve.server.error.InvalidRequestException.Violation;
import org.dcpserve.server.generate.GenerationCancelledException;
import org.dcpserve.server.generate.GenerationTimeoutException;
import org.dcpserve.server.generate.UnsupportedParameterException;
import org.dcpserve.server.http.RequestBodyTooLargeException;
import org.dcpserve.server.trace.TraceNotFoundException;
import org.dcpserve.server.trace.TraceStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;

/**
 * Every error leaves as an RFC 9457 problem detail. As in TGI, a well-formed request the model cannot
 * serve is 422, an overloaded server 429; unreadable JSON or a malformed id is 400, an unknown trace 404,
 * a body past dcp.max-request-body 413, a body that stalls 408, a trace database that fails 503, a failed step
 * loop, a shutdown in progress or a timed-out generation 503. A stack trace
 * never reaches a client, nor more than a short prefix of a value it sent ({@link Echo}). Each one also carries
 * TGI's error and error_type members, or leaves in another wire format's error body ({@link ErrorBodies}).
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return ResponseEntity.unprocessableContent().body(invalidRequest(InvalidRequestException.of(
                ex.getBindingResult().getFieldErrors().stream().map(e -> Violation.of(
                        InvalidRequestException.snakeCase(e.getField()), e.getDefaultMessage(), e.getRejectedValue()))
                        .toList())));
    }

    /** A query parameter out of range, e.g. GET /explain/stats?limit=0: 422 naming the parameter. */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = InvalidRequestException.of(ex.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream().map(error -> Violation.of(
                        InvalidRequestException.snakeCase(parameterName(result.getMethodParameter())),
                        error.getDefaultMessage(), result.getArgument())))
                .toList()).getMessage();
        return ResponseEntity.unprocessableContent().body(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid request",
                detail));
    }

    private static String parameterName(org.springframework.core.MethodParameter parameter) {
        org.springframework.web.bind.annotation.RequestParam param =
                parameter.getParameterAnnotation(org.springframework.web.bind.annotation.RequestParam.class);
        return param != null && !param.name().isEmpty() ? param.name() : String.valueOf(parameter.getParameterName());
    }

    /**
     * A body that could not be read: 413 past dcp.max-request-body, 408 when it stalled past the read timeout,
     * otherwise 400 saying, in the client's field names, what the JSON got wrong.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (cause(ex, RequestBodyTooLargeException.class) instanceof RequestBodyTooLargeException tooLarge) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(bodyTooLarge(tooLarge));
        }
        if (cause(ex, SocketTimeoutException.class) != null) {
            return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).body(problem(HttpStatus.REQUEST_TIMEOUT,
                    "Request timeout", "the request body stopped arriving; send it whole, without pauses"));
        }
        // The outermost Jackson exception knows the field path; without one the body was missing or not JSON.
        Throwable jackson = cause(ex, JacksonException.class);
        return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "Unreadable request body",
                UnreadableBody.describe(jackson != null ? jackson : ex.getCause())));
    }

    @ExceptionHandler(RequestBodyTooLargeException.class)
    ProblemDetail bodyTooLarge(RequestBodyTooLargeException ex) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Request body too large", ex.getMessage());
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = ex.getPropertyName() == null ? "a parameter" : "'" + ex.getPropertyName() + "'";
        String expected = UUID.class.equals(ex.getRequiredType()) ? "a UUID such as 7d0c8f8e-2b1f-4b4e-9a43-0f2d8d7c5e11"
                : UnreadableBody.expected(ex.getRequiredType());
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Malformed request",
                name + " must be " + expected + " (got '" + Echo.prefix(ex.getValue()) + "')");
        return ResponseEntity.badRequest().body(problem);
    }

    // Spring's own details for these repeat the client's path, method or content type in full.

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(NoResourceFoundException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ex.getBody().setDetail(StatusDetails.NOT_FOUND);
        return super.handleNoResourceFoundException(ex, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(HttpRequestMethodNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String allowed = ex.getSupportedHttpMethods() == null ? ""
                : "; this path accepts " + ex.getSupportedHttpMethods().stream().map(Object::toString).sorted()
                        .collect(Collectors.joining(", "));
        ex.getBody().setDetail("method " + Echo.prefix(ex.getMethod()) + " is not allowed here" + allowed);
        return super.handleHttpRequestMethodNotSupported(ex, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String type = ex.getContentType() == null ? "no content type"
                : "content type " + Echo.prefix(ex.getContentType());
        ex.getBody().setDetail(type + " is not supported here; send "
                + ex.getSupportedMediaTypes().stream().map(Object::toString).collect(Collectors.joining(" or ")));
        return super.handleHttpMediaTypeNotSupported(ex, headers, status, request);
    }

    /** Our exceptions whose message is written for the client: the detail, under the status and title of its kind. */
    @ExceptionHandler({TraceNotFoundException.class, TraceStoreException.class, QueueFullException.class,
            GenerationCancelledException.class, GenerationTimeoutException.class,
            SchedulerUnavailableException.class, UnservableRequestException.class,
            ContextLengthExceededException.class})
    ProblemDetail refused(RuntimeException ex) {
        return switch (ex) {
            case TraceNotFoundException e -> problem(HttpStatus.NOT_FOUND, "Trace not found", e.getMessage());
            // Logged with its cause where it happened; the client learns what failed, not how.
            case TraceStoreException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Trace not stored", e.getMessage());
            case QueueFullException e -> problem(HttpStatus.TOO_MANY_REQUESTS, "Overloaded", e.getMessage());
            case GenerationCancelledException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Generation stopped",
                    e.getMessage());
            case GenerationTimeoutException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Generation timed out",
                    e.getMessage());
            // The step loop failed (logged with its cause there) or the service is shutting down.
            case SchedulerUnavailableException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    e.getMessage());
            case UnservableRequestException e -> {
                ProblemDetail problem = cannotBeServed(e.getMessage());
                problem.setProperty("param", e.field().path());
                yield problem;
            }
            // The engine's other refusal: a sequence past the model's context (ContextLengthExceededException).
            default -> cannotBeServed(ex.getMessage());
        };
    }

    /** A well-formed request the model cannot serve as asked (the engine's refusals): 422, as TGI answers it. */
    public static ProblemDetail cannotBeServed(String detail) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Request cannot be served", detail);
    }

    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    ProblemDetail databaseFailed(RuntimeException ex) {
        log.error("Trace database failed", ex);
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "Trace database unavailable",
                "the trace database could not be read; retry later (the log has the cause)");
    }

    @ExceptionHandler(UnsupportedParameterException.class)
    ProblemDetail unsupported(UnsupportedParameterException ex) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Not supported", ex.getMessage());
        problem.setProperty("param", ex.parameter());
        return problem;
    }

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalidRequest(InvalidRequestException ex) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid request", ex.getMessage());
        if (ex.parameter() != null) {
            problem.setProperty("param", ex.parameter());
        }
        return problem;
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

    private static Throwable cause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return cause;
            }
        }
        return null;
    }
}
