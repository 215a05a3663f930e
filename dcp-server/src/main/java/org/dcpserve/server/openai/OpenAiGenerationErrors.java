package org.dcpserve.server.openai;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Documents the errors both OpenAI generation routes may answer before they generate: 404, 422 and 429. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@OpenAiErrorResponse(responseCode = "404", description = OpenAiErrorResponse.MODEL_NOT_FOUND)
@OpenAiErrorResponse(responseCode = "422", description = "The request cannot be served as asked")
@OpenAiErrorResponse(responseCode = "429", description = "Every generation slot is busy")
@interface OpenAiGenerationErrors {
}
