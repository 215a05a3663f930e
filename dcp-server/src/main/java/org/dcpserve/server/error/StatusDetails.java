package org.dcpserve.server.error;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * Problem details for errors that reach no handler of ours: those Tomcat answers itself (a malformed request line,
 * header or URI encoding) and those it forwards to /error. The detail is chosen by status alone, never taken from
 * the container's message, which may repeat the request or name the server's internals.
 */
final class StatusDetails {

    private StatusDetails() {
    }

    static ProblemDetail problem(int status) {
        // The title is the status's reason phrase (ProblemDetail's default).
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail(status));
        TgiErrorMembers.decorate(problem);
        return problem;
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "the request is not valid HTTP: check the request line, the headers and the URI's"
                    + " percent-encoding";
            case 404 -> NOT_FOUND;
            case 405 -> "this method is not allowed on this path";
            case 408 -> "the request did not arrive in time; send it whole, without pauses";
            case 413 -> "the request is larger than this server accepts";
            case 414 -> "the request URI is longer than this server accepts";
            case 431 -> "the request headers are larger than this server accepts";
            case 505 -> "only HTTP/1.1 and HTTP/1.0 are served";
            default -> status < 500 ? "the request cannot be served (" + reason(status) + ")"
                    : "the server could not complete the request; the log has the cause";
        };
    }

    private static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known != null ? known.getReasonPhrase() : "status " + status;
    }

    /** A path nothing is served at, whether Spring or Tomcat finds that out. */
    static final String NOT_FOUND = "nothing is served at this path; the API is listed at /swagger-ui/index.html";
}
