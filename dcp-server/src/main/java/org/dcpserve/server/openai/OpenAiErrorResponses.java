package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.dcpserve.server.openai.OpenAiResponses.ErrorBody;
import org.springframework.http.MediaType;

/**
 * The errors the /v1 routes document, in OpenAI's error body; springdoc reads the {@link ApiResponse}s these
 * annotations are meta-annotated with, so each route declares its errors once.
 */
final class OpenAiErrorResponses {

    private OpenAiErrorResponses() {
    }

    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @ApiResponse(responseCode = "404", description = "Another model than the served one",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ErrorBody.class)))
    @interface ModelNotFound {
    }

    /** What both generation routes may answer before they generate. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ModelNotFound
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "Every generation slot is busy",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ErrorBody.class)))
    @interface OfGeneration {
    }
}
