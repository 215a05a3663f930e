package org.dcpserve.server.generate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.dcpserve.server.error.ProblemResponse;

/** Documents the errors every TGI generation route may answer before it generates: 422 and 429. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ProblemResponse(responseCode = "422", description = "The request cannot be served as asked (see detail)")
@ProblemResponse(responseCode = "429", description = "The generation queue is full")
@interface GenerationProblemResponses {
}
