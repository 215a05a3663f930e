package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Generation parameters, Hugging Face TGI's generate parameters (every one of them is accepted) and ours
 * ({@code pruning}, {@code presence_penalty}, {@code trace}); every field is optional and null means the default.
 */
public record GenerateParameters(
        @Schema(description = "Most tokens to generate", example = "40", defaultValue = "20")
        @Min(value = 1, message = "must be at least 1")
        @Max(value = 100_000, message = "must be at most 100000 (and fit the model's context)")
        Integer maxNewTokens,
        @Schema(description = "0: greedy; above 0: sampling temperature; absent: the model's default"
                + " (generation_config.json), else greedy", example = "0.8")
        @DecimalMin(value = "0.0", message = "must be >= 0")
        @DecimalMax(value = "100.0", message = "must be <= 100")
        Float temperature,
        @Schema(description = "Sample only from the k most likely tokens", example = "40")
        @Min(value = 1, message = "must be at least 1")
        Integer topK,
        @Schema(description = "Sample from the smallest set of tokens whose probability reaches p", example = "0.95")
        @Probability
        Float topP,
        @Schema(description = "Sampling seed; the same seed gives the same output", example = "42")
        Long seed,
        @Schema(description = "Generation ends once the text contains one of these (kept in the output); at most "
                + MAX_STOP_SEQUENCES + ", each at most " + MAX_STOP_LENGTH + " characters")
        @Size(max = MAX_STOP_SEQUENCES, message = "must hold at most " + MAX_STOP_SEQUENCES + " stop sequences")
        List<@NotNull(message = "must not contain null")
             @Size(max = MAX_STOP_LENGTH, message = "must be at most " + MAX_STOP_LENGTH + " characters") String> stop,
        @Schema(description = "Include token details, timings and pruning counts (default false, as in TGI)",
                defaultValue = "false")
        Boolean details,
        @Schema(description = "Keep only the last N prompt tokens instead of rejecting a prompt that does not fit")
        @Min(value = 1, message = "must be at least 1")
        Integer truncate,
        @Schema(description = "TGI compatibility: true samples (at the given temperature, else the model's, else 1),"
                + " false forces greedy; absent: the model's do_sample when no temperature is given")
        Boolean doSample,
        @Schema(description = "false runs the model densely for comparison; default: prune when the model has DCP"
                + " gates (true on a model without gates is a 422)", example = "false")
        Boolean pruning,
        @Schema(description = "generated_text starts with the prompt (default false)", defaultValue = "false")
        Boolean returnFullText,
        @Schema(description = "details.prefill carries every prompt token's log-probability (the first one has"
                + " none)", defaultValue = "false")
        Boolean decoderInputDetails,
        @Schema(description = "Report the n most likely tokens at every generated position (details.top_tokens;"
                + " top_tokens in each stream event)", example = "3")
        @Min(value = 0, message = "must be >= 0")
        @Max(value = 20, message = "must be at most 20")
        @JsonProperty("top_n_tokens")
        Integer topNTokens,
        @Schema(description = "Hugging Face repetition penalty (1: none): every token already in the prompt or the"
                + " output has its logit divided by it (multiplied when negative)", example = "1.2")
        @DecimalMin(value = "0.0", inclusive = false, message = "must be > 0")
        @DecimalMax(value = "100.0", message = "must be <= 100")
        Float repetitionPenalty,
        @Schema(description = "Subtracted from a token's logit once per time it was generated so far (OpenAI's"
                + " definition; 0: none)", example = "0.5")
        @Penalty
        Float frequencyPenalty,
        @Schema(description = "Locally typical sampling: keep the most typical tokens up to this probability mass"
                + " (1: off)", example = "0.9")
        @Probability
        Float typicalP,
        @Schema(description = "Not supported above 1 (one sequence per request); null or 1 passes", example = "1")
        @Min(value = 1, message = "must be at least 1")
        Integer bestOf,
        @Schema(description = "Not supported: true is a 422; null or false passes", example = "false")
        Boolean watermark,
        @Schema(description = "Not supported: any grammar is a 422; null passes", nullable = true)
        Object grammar,
        @Schema(description = "Not supported: LoRA adapters are not served; null passes", nullable = true)
        @Size(max = 256, message = "must be at most 256 characters (and is not supported)")
        String adapterId,
        @Schema(description = "Ours, OpenAI's definition: subtracted once from the logit of every token generated so"
                + " far (0: none)", example = "0.5")
        @Penalty
        Float presencePenalty,
        @Schema(description = "Ours: false stores no drop trace and adds nothing to the drop statistics (the response"
                + " still has a request_id, whose /explain is a 404); default true", defaultValue = "true")
        Boolean trace) {

    static final GenerateParameters DEFAULT = builder().build();

    /** Most stop sequences a request may give (/info's max_stop_sequences). */
    public static final int MAX_STOP_SEQUENCES = 16;

    /** Longest stop sequence, in characters: each one is searched for in the text after every token. */
    public static final int MAX_STOP_LENGTH = 256;

    static final int DEFAULT_MAX_NEW_TOKENS = 20;

    /** Most top_n_tokens TGI's default configuration allows. */
    static final int MAX_TOP_N_TOKENS = 20;

    public static Builder builder() {
        return new Builder();
    }

    /** For adapters that map another wire format onto these parameters. */
    public static final class Builder {
        private Integer maxNewTokens;
        private Float temperature;
        private Integer topK;
        private Float topP;
        private Long seed;
        private List<String> stop;
        private Boolean details;
        private Integer truncate;
        private Boolean doSample;
        private Boolean pruning;
        private Integer topNTokens;
        private Float repetitionPenalty;
        private Float frequencyPenalty;
        private Float presencePenalty;
        private Boolean trace;

        public Builder maxNewTokens(Integer v) { maxNewTokens = v; return this; }
        public Builder temperature(Float v) { temperature = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder topP(Float v) { topP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder details(Boolean v) { details = v; return this; }
        public Builder truncate(Integer v) { truncate = v; return this; }
        public Builder doSample(Boolean v) { doSample = v; return this; }
        public Builder pruning(Boolean v) { pruning = v; return this; }
        public Builder topNTokens(Integer v) { topNTokens = v; return this; }
        public Builder repetitionPenalty(Float v) { repetitionPenalty = v; return this; }
        public Builder frequencyPenalty(Float v) { frequencyPenalty = v; return this; }
        public Builder presencePenalty(Float v) { presencePenalty = v; return this; }
        public Builder trace(Boolean v) { trace = v; return this; }

        public GenerateParameters build() {
            return new GenerateParameters(maxNewTokens, temperature, topK, topP, seed, stop, details, truncate,
                    doSample, pruning, null, null, topNTokens, repetitionPenalty, frequencyPenalty, null, null, null,
                    null, null, presencePenalty, trace);
        }
    }
}
