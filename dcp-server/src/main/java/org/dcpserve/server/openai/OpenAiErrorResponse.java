package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.dcpserve.server.openai.OpenAiResponses.ErrorBody;
import org.springframework.core.annotation.AliasFor;
import org.springframework.http.MediaType;

/**
 * Documents an error response of a /v1 route: OpenAI's error body. Springdoc reads it as the {@link ApiResponse}
 * it is meta-annotated with, so the content is declared here once.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Repeatable(OpenAiErrorResponse.List.class)
@ApiResponse(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
        schema = @Schema(implementation = ErrorBody.class)))
@interface OpenAiErrorResponse {

    String MODEL_NOT_FOUND = "Another model than the served one";

    @AliasFor(annotation = ApiResponse.class)
    String responseCode();

    @AliasFor(annotation = ApiResponse.class)
    String description();

    @Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @interface List {
        OpenAiErrorResponse[] value();
    }
}
