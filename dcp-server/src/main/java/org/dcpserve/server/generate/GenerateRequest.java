package org.dcpserve.server.generate;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of POST /, /generate and /generate_stream, in the shape of Hugging Face TGI. */
@Schema(example = """
        {"inputs": "Once upon a time", "parameters": {"max_new_tokens": 40}}""")
public record GenerateRequest(
        @Schema(description = "The prompt to continue", example = "Once upon a time")
        @NotBlank(message = "must be a non-empty prompt")
        @Size(max = 1_000_000, message = "must be at most 1,000,000 characters")
        String inputs,
        @Valid GenerateParameters parameters,
        @Schema(description = "POST / only: true answers with Server-Sent Events as /generate_stream, false (default)"
                + " with a one-element JSON array of the /generate response, as TGI does. /generate and"
                + " /generate_stream accept it and answer as their route says.", defaultValue = "false")
        Boolean stream) {

    public GenerateRequest(String inputs, GenerateParameters parameters) {
        this(inputs, parameters, null);
    }

    public GenerateParameters parametersOrDefault() {
        return parameters == null ? GenerateParameters.DEFAULT : parameters;
    }
}
