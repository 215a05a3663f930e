package org.dcpserve.server.openai;

import java.util.List;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.server.openai.OpenAiResponses.ChatChoice;
import org.dcpserve.server.openai.OpenAiResponses.ChatChunk;
import org.dcpserve.server.openai.OpenAiResponses.ChatChunkChoice;
import org.dcpserve.server.openai.OpenAiResponses.ChatCompletion;
import org.dcpserve.server.openai.OpenAiResponses.ChatLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.ChatMessage;
import org.dcpserve.server.openai.OpenAiResponses.Delta;
import org.dcpserve.server.openai.OpenAiResponses.Usage;

/**
 * /v1/chat/completions' shape: the assistant's message (streamed as deltas after one announcing the role), chat
 * log-probs when logprobs is true.
 *
 * @param id      chatcmpl- and the first choice's request id
 * @param created when the request was answered, in Unix seconds
 * @param trimsLeadingWhitespace whether the reply's leading whitespace is dropped (after the plain transcript's
 *                               "Assistant:", not after a model's own template)
 */
record ChatShape(String id, long created, String model, boolean logprobs, boolean trimsLeadingWhitespace)
        implements ChoiceShape<ChatChoice> {

    private static final String CHUNK_OBJECT = "chat.completion.chunk";

    @Override
    public Object opening(int index, String requestId) {
        return chunk(new ChatChunkChoice(index, new Delta("assistant", ""), null, null), requestId);
    }

    @Override
    public Object delta(int index, String text, GeneratedToken token, String requestId) {
        ChatLogprobs lp = !logprobs || token.special() ? null : LogprobFormatter.chat(List.of(token));
        return text.isEmpty() && lp == null ? null
                : chunk(new ChatChunkChoice(index, new Delta(null, text), lp, null), requestId);
    }

    @Override
    public Object last(int index, String text, String finishReason, String requestId) {
        return chunk(new ChatChunkChoice(index, new Delta(null, text), null, finishReason), requestId);
    }

    @Override
    public Object usage(Usage usage, String requestId) {
        return new ChatChunk(id, CHUNK_OBJECT, created, model, List.of(), usage, requestId);
    }

    @Override
    public ChatChoice choice(int index, String text, Generation generation, String finishReason, String requestId) {
        return new ChatChoice(index, new ChatMessage("assistant", text),
                logprobs ? LogprobFormatter.chat(LogprobFormatter.visible(generation.tokens())) : null, finishReason,
                requestId);
    }

    @Override
    public Object response(List<ChatChoice> choices, Usage usage, String requestId) {
        return new ChatCompletion(id, "chat.completion", created, model, choices, usage, requestId);
    }

    private ChatChunk chunk(ChatChunkChoice choice, String requestId) {
        return new ChatChunk(id, CHUNK_OBJECT, created, model, List.of(choice), null, requestId);
    }
}
