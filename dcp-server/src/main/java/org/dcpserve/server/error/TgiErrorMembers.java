package org.dcpserve.server.error;

import org.springframework.http.ProblemDetail;

/**
 * TGI's error members (RFC 9457 extension members) on a problem detail: {@code error}, the detail, and
 * {@code error_type} (validation, overloaded, generation, ...), which Hugging Face clients show their users.
 */
final class TgiErrorMembers {

    private TgiErrorMembers() {
    }

    /** Adds error and error_type to a problem detail (once). */
    static void decorate(ProblemDetail problem) {
        if (problem.getProperties() == null || !problem.getProperties().containsKey("error")) {
            problem.setProperty("error", problem.getDetail() != null ? problem.getDetail() : problem.getTitle());
            problem.setProperty("error_type", errorType(problem.getStatus()));
        }
    }

    /** TGI's error types by status: 422 validation, 429 overloaded, 424/500 generation; ours for the rest. */
    private static String errorType(int status) {
        return switch (status) {
            case 400, 405, 406, 413, 415, 422 -> "validation";
            case 404 -> "not_found";
            case 429 -> "overloaded";
            case 503 -> "unavailable";
            default -> "generation";
        };
    }
}
