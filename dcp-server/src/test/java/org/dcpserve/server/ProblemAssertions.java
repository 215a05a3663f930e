package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/** Checks the service's error answers outside /v1: RFC 9457 problem details that name nothing of its insides. */
final class ProblemAssertions {

    private ProblemAssertions() {
    }

    /** The response is a problem detail with this status whose detail contains {@code message}. */
    static void assertProblem(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = HttpClientSupport.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).contains(message);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at org.");
    }
}
