package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import org.dcpserve.server.generate.Penalty;
import org.dcpserve.server.generate.Probability;

/** Body of POST /v1/completions: OpenAI's legacy completions request (the fields this server honours or refuses). */
@Schema(name = "CompletionRequest", example = """
        {"model": "sotu-dcp", "prompt": "Once upon a time", "max_tokens": 16, "temperature": 0}""")
public record CompletionRequest(
        @Schema(description = "The served model's id (GET /v1/models)", requiredMode = Schema.RequiredMode.REQUIRED)
        @NotBlank(message = "must name the served model (GET /v1/models)")
        String model,
        @Schema(description = "The prompt: a string, or an array holding one string",
                oneOf = {String.class, String[].class}, requiredMode = Schema.RequiredMode.REQUIRED)
        Object prompt,
        @Schema(description = "Most tokens to generate (default 16, as OpenAI; less when the context is shorter)")
        @Min(value = 1, message = "must be at least 1")
        Integer maxTokens,
        @Schema(description = "0: greedy; default 1, as OpenAI")
        @DecimalMin(value = "0.0", message = "must be in [0, 2]")
        @DecimalMax(value = "2.0", message = "must be in [0, 2]")
        Float temperature,
        @Schema(description = "Nucleus sampling mass")
        @Probability
        Float topP,
        @Schema(description = "Choices to generate (each its own generation and drop trace)", defaultValue = "1")
        @Min(value = 1, message = "must be at least 1")
        @Max(value = OpenAiMapping.MAX_CHOICES, message = "must be at most " + OpenAiMapping.MAX_CHOICES)
        Integer n,
        @Schema(description = "Server-Sent Events, ending with data: [DONE]")
        Boolean stream,
        @Valid StreamOptions streamOptions,
        @Schema(description = "Log-probabilities of the generated tokens and of this many alternatives (0-5)")
        @Min(value = 0, message = "must be in [0, 5]")
        @Max(value = 5, message = "must be in [0, 5]")
        Integer logprobs,
        @Schema(description = "The text starts with the prompt")
        Boolean echo,
        @Schema(description = "Up to 4 sequences that end generation (not included in the text)",
                oneOf = {String.class, String[].class})
        Object stop,
        @Penalty
        Float presencePenalty,
        @Penalty
        Float frequencyPenalty,
        @Schema(description = "Same seed, same output")
        Long seed,
        @Schema(description = "Accepted and ignored")
        String user,
        @Schema(description = "Only 1 (or null) is supported")
        Integer bestOf,
        @Schema(description = "Not supported: null or {} passes")
        Map<String, Object> logitBias,
        @Schema(description = "Not supported: null passes")
        String suffix,
        @Schema(description = "Ours: false runs a gated model densely")
        Boolean pruning,
        @Schema(description = "Ours: false stores no drop trace and adds nothing to the drop statistics (request_id"
                + " is still returned; its /explain is a 404); default true", defaultValue = "true")
        Boolean trace) {
}
