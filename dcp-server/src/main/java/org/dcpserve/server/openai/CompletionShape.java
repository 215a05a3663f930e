package org.dcpserve.server.openai;

import java.time.Instant;
import java.util.List;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.server.openai.OpenAiResponses.Completion;
import org.dcpserve.server.openai.OpenAiResponses.CompletionChoice;
import org.dcpserve.server.openai.OpenAiResponses.CompletionChunk;
import org.dcpserve.server.openai.OpenAiResponses.CompletionLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.Usage;

/**
 * /v1/completions' shape: text_completion objects, the prompt in front of the text with echo, legacy log-probs
 * (with the offset of each token in the text) when logprobs is given.
 */
final class CompletionShape implements ChoiceShape<CompletionChoice> {

    private static final String OBJECT = "text_completion";

    private final String id;
    private final long created = Instant.now().getEpochSecond();
    private final String model;
    private final String prompt;
    private final boolean echo;
    private final Integer logprobs;
    /** Characters before the next token of the choice being streamed, for the log-probs' text offsets. */
    private int offset;

    /** @param logprobs the alternatives asked for per token; null: no log-probs */
    CompletionShape(String id, String model, String prompt, boolean echo, Integer logprobs) {
        this.id = id;
        this.model = model;
        this.prompt = prompt;
        this.echo = echo;
        this.logprobs = logprobs;
    }

    @Override
    public Object opening(int index, String requestId) {
        offset = textStart();
        return echo ? chunk(new CompletionChoice(index, prompt, null, null, requestId), requestId) : null;
    }

    @Override
    public Object delta(int index, String text, GeneratedToken token, String requestId) {
        CompletionLogprobs lp = logprobs == null || token.special() ? null
                : LogprobFormatter.completion(List.of(token), offset);
        offset += token.special() ? 0 : token.text().length();
        return text.isEmpty() && lp == null ? null
                : chunk(new CompletionChoice(index, text, lp, null, requestId), requestId);
    }

    @Override
    public Object last(int index, String text, String finishReason, String requestId) {
        return chunk(new CompletionChoice(index, text, null, finishReason, requestId), requestId);
    }

    @Override
    public Object usage(Usage usage, String requestId) {
        return new CompletionChunk(id, OBJECT, created, model, List.of(), usage, requestId);
    }

    @Override
    public CompletionChoice choice(int index, String text, Generation generation, String finishReason,
                                   String requestId) {
        return new CompletionChoice(index, echo ? prompt + text : text, logprobs == null ? null
                : LogprobFormatter.completion(LogprobFormatter.visible(generation.tokens()), textStart()),
                finishReason, requestId);
    }

    @Override
    public Object response(List<CompletionChoice> choices, Usage usage, String requestId) {
        return new Completion(id, OBJECT, created, model, choices, usage, requestId);
    }

    /** Where the generated text starts in the choice's text. */
    private int textStart() {
        return echo ? prompt.length() : 0;
    }

    private CompletionChunk chunk(CompletionChoice choice, String requestId) {
        return new CompletionChunk(id, OBJECT, created, model, List.of(choice), null, requestId);
    }
}
