package org.dcpserve.server.openai;

import org.dcpserve.server.error.Echo;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A request named another model than the one served: 404, as OpenAI answers an unknown model. */
class ModelNotFoundException extends ErrorResponseException {

    ModelNotFoundException(String requested, String served) {
        super(HttpStatus.NOT_FOUND, problem(requested, served), null);
    }

    private static ProblemDetail problem(String requested, String served) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "The model '"
                + Echo.prefix(requested) + "' does not exist; this server serves '" + served + "' (GET /v1/models)");
        problem.setTitle("Model not found");
        problem.setProperty("param", "model");
        problem.setProperty("code", "model_not_found");
        return problem;
    }
}
