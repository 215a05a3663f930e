package org.dcpserve.server.generate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.dcpserve.server.error.ProblemResponse;

/**
 * Documents the errors of every TGI generation route: 422 and 429 before it generates, 503 when it cannot answer
 * (on a stream, the status line is gone by then and an error event says it instead).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ProblemResponse(responseCode = "422", description = "The request cannot be served as asked (see detail)")
@ProblemResponse(responseCode = "429", description = "The generation queue is full")
@ProblemResponse(responseCode = "503", description = "No result: the drop trace could not be stored, the generation"
        + " timed out (dcp.generation-timeout), the generation engine failed, or the service is shutting down")
@interface GenerationProblemResponses {
}
