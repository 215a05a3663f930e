package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** OpenAI's response bodies, with our request_id (the drop trace's key) added. */
final class OpenAiResponses {

    private OpenAiResponses() {
    }

    /**
     * @param requestId the drop trace of the first choice (GET /explain/{request_id}); each choice has its own
     */
    @Schema(name = "Completion")
    record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
                      Usage usage, String requestId) {
    }

    @Schema(name = "CompletionChoice")
    record CompletionChoice(int index, String text, CompletionLogprobs logprobs, String finishReason,
                            String requestId) {
    }

    /** OpenAI's legacy logprobs: parallel lists per generated token. */
    @Schema(name = "CompletionLogprobs")
    record CompletionLogprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                              List<Integer> textOffset) {
    }

    @Schema(name = "ChatCompletion")
    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
                          Usage usage, String requestId) {
    }

    @Schema(name = "ChatChoice")
    record ChatChoice(int index, ChatMessage message, ChatLogprobs logprobs, String finishReason, String requestId) {
    }

    @Schema(name = "ChatCompletionMessage")
    record ChatMessage(String role, String content) {
    }

    @Schema(name = "ChatLogprobs")
    record ChatLogprobs(List<TokenLogprob> content) {
    }

    @Schema(name = "ChatTokenLogprob")
    record TokenLogprob(String token, float logprob, List<Integer> bytes, List<TopLogprob> topLogprobs) {
    }

    @Schema(name = "ChatTopLogprob")
    record TopLogprob(String token, float logprob, List<Integer> bytes) {
    }

    @Schema(name = "Usage")
    record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }

    /** A streamed chunk of /v1/completions. */
    @Schema(name = "CompletionChunk")
    record CompletionChunk(String id, String object, long created, String model, List<CompletionChoice> choices,
                           Usage usage, String requestId) {
    }

    /** A streamed chunk of /v1/chat/completions. */
    @Schema(name = "ChatCompletionChunk")
    record ChatChunk(String id, String object, long created, String model, List<ChatChunkChoice> choices,
                     Usage usage, String requestId) {
    }

    @Schema(name = "ChatChunkChoice")
    record ChatChunkChoice(int index, Delta delta, ChatLogprobs logprobs, String finishReason) {
    }

    @Schema(name = "ChatDelta")
    record Delta(String role, String content) {
    }

    @Schema(name = "ModelList")
    record ModelList(String object, List<Model> data) {
    }

    /**
     * OpenAI's model object, and two fields vLLM's and our /info's names give.
     *
     * @param maxModelLen most positions a sequence may have (prompt + completion), after dcp.max-context (vLLM's)
     * @param modelDtype  how the checkpoint stored the weights: bfloat16, float16 or float32 (/info's model_dtype)
     */
    @Schema(name = "Model")
    record Model(String id, String object, long created, String ownedBy, int maxModelLen, String modelDtype) {
    }

    /** OpenAI's error body. */
    @Schema(name = "OpenAiError")
    record ErrorBody(Error error) {
    }

    /**
     * @param type  invalid_request_error, not_found_error, rate_limit_error or server_error
     * @param param the offending request field, when one is
     * @param code  a machine-readable reason (model_not_found, unsupported_parameter, ...) or null
     */
    @Schema(name = "OpenAiErrorDetail")
    record Error(String message, String type, String param, String code) {
    }
}
