package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dcpserve.server.error.Echo;
import org.dcpserve.server.error.InvalidRequestException;
import org.dcpserve.server.generate.Penalty;
import org.dcpserve.server.generate.Probability;

/**
 * Body of POST /v1/chat/completions. The messages become one prompt through the model's chat template, or
 * {@link PlainTranscript} for a model without one ({@link ChatPrompts}).
 */
@Schema(name = "ChatCompletionRequest", example = """
        {"model": "sotu-dcp", "messages": [{"role": "user", "content": "Tell me a story"}], "max_tokens": 32}""")
public record ChatCompletionRequest(
        @Schema(description = "The served model's id (GET /v1/models)", requiredMode = Schema.RequiredMode.REQUIRED)
        @NotBlank(message = "must name the served model (GET /v1/models)")
        String model,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
        @NotEmpty(message = "must hold at least one message")
        List<@NotNull(message = "must not contain null") @Valid Message> messages,
        @Schema(description = "Most tokens to generate (default 128, less when the context is shorter)")
        @Min(value = 1, message = "must be at least 1")
        Integer maxTokens,
        @Schema(description = "The newer name of max_tokens; wins when both are given")
        @Min(value = 1, message = "must be at least 1")
        Integer maxCompletionTokens,
        @DecimalMin(value = "0.0", message = "must be in [0, 2]")
        @DecimalMax(value = "2.0", message = "must be in [0, 2]")
        Float temperature,
        @Probability
        Float topP,
        @Min(value = 1, message = "must be at least 1")
        @Max(value = OpenAiMapping.MAX_CHOICES, message = "must be at most " + OpenAiMapping.MAX_CHOICES)
        Integer n,
        Boolean stream,
        @Valid StreamOptions streamOptions,
        @Schema(description = "Up to 4 sequences that end generation (not included in the text)",
                oneOf = {String.class, String[].class})
        Object stop,
        Long seed,
        @Schema(description = "Log-probabilities of the generated tokens")
        Boolean logprobs,
        @Schema(description = "With logprobs: this many alternatives per token (0-20)")
        @Min(value = 0, message = "must be in [0, 20]")
        @Max(value = 20, message = "must be in [0, 20]")
        Integer topLogprobs,
        @Penalty
        Float presencePenalty,
        @Penalty
        Float frequencyPenalty,
        @Schema(description = "Accepted and ignored")
        String user,
        @Schema(description = "Not supported: null or {} passes")
        Map<String, Object> logitBias,
        @Schema(description = "Only {\"type\": \"text\"} (or null) is supported")
        Map<String, Object> responseFormat,
        @Schema(description = "Not supported: null or [] passes")
        List<Object> tools,
        @Schema(description = "Not supported: null or \"none\" passes")
        Object toolChoice,
        @Schema(description = "Ours: false runs a gated model densely")
        Boolean pruning,
        @Schema(description = "Ours: false stores no drop trace and adds nothing to the drop statistics (request_id"
                + " is still returned; its /explain is a 404); default true", defaultValue = "true")
        Boolean trace) {

    /**
     * @param role    system (or developer), user or assistant
     * @param content a string, or an array of {"type": "text", "text": ...} parts
     */
    @Schema(name = "ChatMessage")
    public record Message(
            @NotBlank(message = "must be system, developer, user or assistant") String role,
            @Schema(oneOf = {String.class, ContentPart[].class}) Object content,
            String name) {

        private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

        /** The role, when it is one this server serves; {@code index} is the message's, for the error. */
        String checkedRole(int index) {
            if (!ROLES.contains(role)) {
                throw new InvalidRequestException("messages[" + index + "].role", "must be system, developer, user or"
                        + " assistant (got " + Echo.prefix(role) + "); tools are not supported");
            }
            return role;
        }

        /** The message's text: a string, or the concatenated text parts of an array. */
        String text(int index) {
            if (content instanceof String text) {
                return text;
            }
            if (content instanceof List<?> parts) {
                StringBuilder text = new StringBuilder();
                for (Object part : parts) {
                    if (part instanceof Map<?, ?> map && "text".equals(map.get("type")) && map.get("text") instanceof String t) {
                        text.append(t);
                    } else {
                        throw new InvalidRequestException("messages[" + index + "].content", "parts must be"
                                + " {\"type\": \"text\", \"text\": \"...\"}: this model reads text only");
                    }
                }
                return text.toString();
            }
            throw new InvalidRequestException("messages[" + index + "].content", "must be a string or an array of text"
                    + " parts");
        }
    }

    @Schema(name = "ChatContentPart")
    public record ContentPart(String type, String text) {
    }
}
