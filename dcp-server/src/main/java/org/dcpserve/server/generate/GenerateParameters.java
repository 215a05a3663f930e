package org.dcpserve.server.generate;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Generation parameters; every field is optional. */
public record GenerateParameters(
        @Schema(description = "Most tokens to generate", example = "40", defaultValue = "20")
        @Min(value = 1, message = "must be at least 1")
        @Max(value = 100_000, message = "must be at most 100000 (and fit the model's context)")
        Integer maxNewTokens,
        @Schema(description = "0 or absent: greedy; above 0: sampling temperature", example = "0.8")
        @DecimalMin(value = "0.0", message = "must be >= 0")
        @DecimalMax(value = "100.0", message = "must be <= 100")
        Float temperature,
        @Schema(description = "Sample only from the k most likely tokens", example = "40")
        @Min(value = 1, message = "must be at least 1")
        Integer topK,
        @Schema(description = "Sample from the smallest set of tokens whose probability reaches p", example = "0.95")
        @DecimalMin(value = "0.0", inclusive = false, message = "must be in (0, 1]")
        @DecimalMax(value = "1.0", message = "must be in (0, 1]")
        Float topP,
        @Schema(description = "Sampling seed; the same seed gives the same output", example = "42")
        Long seed,
        @Schema(description = "Generation ends once the text contains one of these (kept in the output)")
        @Size(max = 16, message = "at most 16 stop sequences")
        List<@NotNull(message = "must not contain null") String> stop,
        @Schema(description = "Include token details and timings (default true)", defaultValue = "true")
        Boolean details,
        @Schema(description = "Keep only the last N prompt tokens instead of rejecting a prompt that does not fit")
        @Min(value = 1, message = "must be at least 1")
        Integer truncate,
        @Schema(description = "TGI compatibility: true samples (temperature 1 unless given), false forces greedy")
        Boolean doSample,
        @Schema(description = "false runs the model densely for comparison; default: prune when the model has DCP"
                + " gates (true on a model without gates is a 422)", example = "false")
        Boolean pruning) {

    static final GenerateParameters DEFAULT =
            new GenerateParameters(null, null, null, null, null, null, null, null, null, null);

    static final int DEFAULT_MAX_NEW_TOKENS = 20;
}
