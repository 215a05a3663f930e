package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.server.generate.EventStream;
import org.dcpserve.server.generate.GenerateController;
import org.dcpserve.server.generate.GenerationService;
import org.dcpserve.server.generate.GenerationService.PreparedGeneration;
import org.dcpserve.server.generate.TokenRelay;
import org.dcpserve.server.generate.UnsupportedParameterException;
import org.dcpserve.server.openai.OpenAiResponses.ChatChoice;
import org.dcpserve.server.openai.OpenAiResponses.ChatChunk;
import org.dcpserve.server.openai.OpenAiResponses.ChatChunkChoice;
import org.dcpserve.server.openai.OpenAiResponses.ChatCompletion;
import org.dcpserve.server.openai.OpenAiResponses.ChatLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.ChatMessage;
import org.dcpserve.server.openai.OpenAiResponses.Completion;
import org.dcpserve.server.openai.OpenAiResponses.CompletionChoice;
import org.dcpserve.server.openai.OpenAiResponses.CompletionChunk;
import org.dcpserve.server.openai.OpenAiResponses.CompletionLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.Delta;
import org.dcpserve.server.openai.OpenAiResponses.ErrorBody;
import org.dcpserve.server.openai.OpenAiResponses.TokenLogprob;
import org.dcpserve.server.openai.OpenAiResponses.TopLogprob;
import org.dcpserve.server.openai.OpenAiResponses.Usage;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * OpenAI's API under /v1, a thin adapter: each choice is one generation of the generation service, with its own
 * drop trace (request_id in the body and the X-Request-Id header name the first choice's).
 */
@RestController
@Tag(name = "openai", description = "OpenAI-compatible completions, chat completions and models")
class OpenAiController {

    private static final String ERROR_CONTENT = MediaType.APPLICATION_JSON_VALUE;

    private final OpenAiMapping mapping;
    private final GenerationService service;
    private final long started = Instant.now().getEpochSecond();

    OpenAiController(OpenAiMapping mapping, GenerationService service) {
        this.mapping = mapping;
        this.service = service;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The served model (one)")
    OpenAiResponses.ModelList models() {
        return new OpenAiResponses.ModelList("list", List.of(model()));
    }

    @GetMapping(path = "/v1/models/{model}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The served model, if that is its id")
    @ApiResponse(responseCode = "200", description = "The model")
    @ApiResponse(responseCode = "404", description = "Another model than the served one",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    OpenAiResponses.Model model(@PathVariable("model") String model) {
        mapping.checkModel(model);
        return model();
    }

    private OpenAiResponses.Model model() {
        return new OpenAiResponses.Model(mapping.modelId(), "model", started, "dcp-serve");
    }

    @PostMapping(path = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "OpenAI completions: continue a prompt",
            description = "stream: true answers with Server-Sent Events of completion chunks ending with data: [DONE]."
                    + " Stop sequences are cut from the text. temperature defaults to 1 (sampling) as in OpenAI.")
    @ApiResponse(responseCode = "200", description = "The completion (or, with stream, its chunks)",
            headers = @Header(name = GenerateController.REQUEST_ID_HEADER,
                    description = "The request id of the (first choice's) drop trace"),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Completion.class)),
                @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                        schema = @Schema(implementation = CompletionChunk.class))})
    @ApiResponse(responseCode = "404", description = "Another model than the served one",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "Every generation slot is busy",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<?> completions(@Valid @RequestBody CompletionRequest r) {
        mapping.checkModel(r.model());
        if (r.bestOf() != null && r.bestOf() > 1) {
            throw new UnsupportedParameterException("best_of", "best_of " + r.bestOf() + " is not supported; use n");
        }
        OpenAiMapping.refuseNonEmpty(r.logitBias(), "logit_bias");
        if (r.suffix() != null) {
            throw new UnsupportedParameterException("suffix", "suffix (insertion) is not supported; leave it out");
        }
        boolean echo = Boolean.TRUE.equals(r.echo());
        String prompt = OpenAiMapping.prompt(r.prompt());
        List<String> stops = OpenAiMapping.stops(r.stop());
        List<PreparedGeneration> prepared = mapping.prepare(prompt, new OpenAiMapping.Options(r.maxTokens(), 16,
                r.temperature(), r.topP(), r.seed(), stops, r.presencePenalty(), r.frequencyPenalty(), r.logprobs(),
                r.pruning(), r.trace()), r.n() == null ? 1 : r.n());
        String id = "cmpl-" + prepared.getFirst().requestId();
        long created = Instant.now().getEpochSecond();
        Integer logprobs = r.logprobs();
        if (Boolean.TRUE.equals(r.stream())) {
            String model = mapping.modelId();
            return stream(prepared, stops, false, includeUsage(r.streamOptions()), new ChunkShape() {
                private int offset;  // characters before the next token, for the logprobs' text offsets

                @Override
                public Object opening(int index, String requestId) {
                    offset = echo ? prompt.length() : 0;
                    return echo ? new CompletionChunk(id, "text_completion", created, model,
                            List.of(new CompletionChoice(index, prompt, null, null, requestId)), null, requestId) : null;
                }

                @Override
                public Object delta(int index, String text, GeneratedToken token, String requestId) {
                    CompletionLogprobs lp = logprobs == null || token.special() ? null
                            : completionLogprobs(List.of(token), offset);
                    offset += token.special() ? 0 : token.text().length();
                    return text.isEmpty() && lp == null ? null : new CompletionChunk(id, "text_completion", created, model,
                            List.of(new CompletionChoice(index, text, lp, null, requestId)), null, requestId);
                }

                @Override
                public Object last(int index, String text, String finishReason, String requestId) {
                    return new CompletionChunk(id, "text_completion", created, model,
                            List.of(new CompletionChoice(index, text, null, finishReason, requestId)), null, requestId);
                }

                @Override
                public Object usage(Usage usage, String requestId) {
                    return new CompletionChunk(id, "text_completion", created, model, List.of(), usage, requestId);
                }
            });
        }
        Choices<CompletionChoice> all = generateAll(prepared, (index, g, requestId) -> {
            String text = new TextStream(stops, false).finalText(g.text(), g.finishReason());
            return new CompletionChoice(index, echo ? prompt + text : text,
                    logprobs == null ? null : completionLogprobs(visible(g.tokens()), echo ? prompt.length() : 0),
                    TextStream.finishReason(g.finishReason()), requestId);
        });
        String requestId = prepared.getFirst().requestId().toString();
        return ResponseEntity.ok().header(GenerateController.REQUEST_ID_HEADER, requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new Completion(id, "text_completion", created, mapping.modelId(), all.choices(), all.usage(),
                        requestId));
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "OpenAI chat completions, through a documented plain-text chat template",
            description = ChatTemplate.DESCRIPTION + " stream: true answers with chat.completion.chunk events ending"
                    + " with data: [DONE]. temperature defaults to 1 (sampling) as in OpenAI.")
    @ApiResponse(responseCode = "200", description = "The chat completion (or, with stream, its chunks)",
            headers = @Header(name = GenerateController.REQUEST_ID_HEADER,
                    description = "The request id of the (first choice's) drop trace"),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                        schema = @Schema(implementation = ChatCompletion.class)),
                @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                        schema = @Schema(implementation = ChatChunk.class))})
    @ApiResponse(responseCode = "404", description = "Another model than the served one",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", description = "Every generation slot is busy",
            content = @Content(mediaType = ERROR_CONTENT, schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<?> chat(@Valid @RequestBody ChatCompletionRequest r) {
        mapping.checkModel(r.model());
        OpenAiMapping.refuseNonEmpty(r.logitBias(), "logit_bias");
        if (r.responseFormat() != null && !"text".equals(r.responseFormat().get("type"))) {
            throw new UnsupportedParameterException("response_format", "response_format "
                    + r.responseFormat().get("type") + " is not supported; only text");
        }
        if (r.tools() != null && !r.tools().isEmpty()) {
            throw new UnsupportedParameterException("tools", "tools (function calling) are not supported");
        }
        if (r.toolChoice() != null && !"none".equals(r.toolChoice())) {
            throw new UnsupportedParameterException("tool_choice", "tool_choice is not supported; leave it out");
        }
        List<String> stops = new ArrayList<>(OpenAiMapping.stops(r.stop()));
        stops.addAll(ChatTemplate.STOPS);
        String prompt = ChatTemplate.render(r.messages());
        boolean logprobs = Boolean.TRUE.equals(r.logprobs());
        Integer top = logprobs ? (r.topLogprobs() == null ? 0 : r.topLogprobs()) : null;
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        List<PreparedGeneration> prepared = mapping.prepare(prompt, new OpenAiMapping.Options(maxTokens, 128,
                r.temperature(), r.topP(), r.seed(), stops, r.presencePenalty(), r.frequencyPenalty(), top,
                r.pruning(), r.trace()), r.n() == null ? 1 : r.n());
        String id = "chatcmpl-" + prepared.getFirst().requestId();
        long created = Instant.now().getEpochSecond();
        String model = mapping.modelId();
        if (Boolean.TRUE.equals(r.stream())) {
            return stream(prepared, stops, true, includeUsage(r.streamOptions()), new ChunkShape() {
                @Override
                public Object opening(int index, String requestId) {
                    return new ChatChunk(id, "chat.completion.chunk", created, model,
                            List.of(new ChatChunkChoice(index, new Delta("assistant", ""), null, null)), null, requestId);
                }

                @Override
                public Object delta(int index, String text, GeneratedToken token, String requestId) {
                    ChatLogprobs lp = !logprobs || token.special() ? null : chatLogprobs(List.of(token));
                    return text.isEmpty() && lp == null ? null : new ChatChunk(id, "chat.completion.chunk", created, model,
                            List.of(new ChatChunkChoice(index, new Delta(null, text), lp, null)), null, requestId);
                }

                @Override
                public Object last(int index, String text, String finishReason, String requestId) {
                    return new ChatChunk(id, "chat.completion.chunk", created, model,
                            List.of(new ChatChunkChoice(index, new Delta(null, text), null, finishReason)), null, requestId);
                }

                @Override
                public Object usage(Usage usage, String requestId) {
                    return new ChatChunk(id, "chat.completion.chunk", created, model, List.of(), usage, requestId);
                }
            });
        }
        Choices<ChatChoice> all = generateAll(prepared, (index, g, requestId) -> new ChatChoice(index,
                new ChatMessage("assistant", new TextStream(stops, true).finalText(g.text(), g.finishReason())),
                logprobs ? chatLogprobs(visible(g.tokens())) : null, TextStream.finishReason(g.finishReason()), requestId));
        String requestId = prepared.getFirst().requestId().toString();
        return ResponseEntity.ok().header(GenerateController.REQUEST_ID_HEADER, requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ChatCompletion(id, "chat.completion", created, model, all.choices(), all.usage(), requestId));
    }

    /** How a non-streamed endpoint turns one finished generation into its choice type. */
    @FunctionalInterface
    private interface ChoiceShape<C> {
        C of(int index, Generation generation, String requestId);
    }

    private record Choices<C>(List<C> choices, Usage usage) {
    }

    /** Every choice generated side by side in the batch (each its own drop trace), with the usage of them all. */
    private <C> Choices<C> generateAll(List<PreparedGeneration> prepared, ChoiceShape<C> shape) {
        List<GenerationService.Running> running = submitAll(prepared, p -> service.submit(p, TokenListener.NONE),
                r -> r);
        List<C> choices = new ArrayList<>();
        UsageCount usage = new UsageCount();
        try {
            for (int i = 0; i < prepared.size(); i++) {
                PreparedGeneration p = prepared.get(i);
                Generation g = service.finish(p, running.get(i)).generation();
                choices.add(shape.of(i, g, p.requestId().toString()));
                usage.add(g);
            }
        } catch (RuntimeException e) {
            running.forEach(GenerationService.Running::cancel);
            throw e;
        }
        return new Choices<>(choices, usage.usage());
    }

    /**
     * Submits every choice at once, so they run side by side in the batch; if one is refused (a full queue),
     * those submitted before it are cancelled and the request fails as a whole.
     */
    private static <T> List<T> submitAll(List<PreparedGeneration> prepared, Function<PreparedGeneration, T> submit,
                                         Function<T, GenerationService.Running> running) {
        List<T> out = new ArrayList<>(prepared.size());
        try {
            for (PreparedGeneration p : prepared) {
                out.add(submit.apply(p));
            }
        } catch (RuntimeException e) {
            out.forEach(t -> running.apply(t).cancel());
            throw e;
        }
        return out;
    }

    /** Usage over the choices of one request: the prompt once (every choice has the same), all completions. */
    private static final class UsageCount {
        private int promptTokens;
        private int completionTokens;

        void add(Generation generation) {
            promptTokens = generation.prompt().size();
            completionTokens += generation.tokens().size();
        }

        Usage usage() {
            return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
        }
    }

    /** Tokens a client sees: the end-of-text token is not text. */
    private static List<GeneratedToken> visible(List<GeneratedToken> tokens) {
        return tokens.stream().filter(t -> !t.special()).toList();
    }

    private static CompletionLogprobs completionLogprobs(List<GeneratedToken> tokens, int offset) {
        List<String> texts = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<Map<String, Float>> top = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (GeneratedToken t : tokens) {
            texts.add(t.text());
            logprobs.add(t.logprob());
            Map<String, Float> alternatives = new LinkedHashMap<>();
            t.topTokens().forEach(a -> alternatives.putIfAbsent(a.text(), a.logprob()));
            top.add(alternatives);
            offsets.add(offset);
            offset += t.text().length();
        }
        return new CompletionLogprobs(texts, logprobs, top, offsets);
    }

    private static ChatLogprobs chatLogprobs(List<GeneratedToken> tokens) {
        return new ChatLogprobs(tokens.stream().map(t -> new TokenLogprob(t.text(), t.logprob(), bytes(t.text()),
                t.topTokens().stream().map(a -> new TopLogprob(a.text(), a.logprob(), bytes(a.text()))).toList()))
                .toList());
    }

    private static List<Integer> bytes(String text) {
        List<Integer> out = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.add(b & 0xFF);
        }
        return out;
    }

    private static boolean includeUsage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.includeUsage());
    }

    /** What one streamed endpoint sends for a choice: its chunk type around the shared streaming loop. */
    private interface ChunkShape {
        /** The chunk that opens choice {@code index}, or null for none. */
        Object opening(int index, String requestId);

        /** The chunk for one generated token whose visible text is {@code text}, or null to send nothing. */
        Object delta(int index, String text, GeneratedToken token, String requestId);

        /** The choice's last chunk: the text held back until the end, and the finish reason. */
        Object last(int index, String text, String finishReason, String requestId);

        Object usage(Usage usage, String requestId);
    }

    /**
     * Streams every choice one after the other (all of them generate side by side in the batch, the later
     * ones' tokens wait in their relays), each through its own {@link TextStream} (stop sequences cut, text
     * that may start one held back; leading whitespace trimmed for chat), then the usage chunk when asked. The
     * choices are queued before the stream opens, so a full queue is a 429, not an error event.
     */
    private ResponseEntity<SseEmitter> stream(List<PreparedGeneration> prepared, List<String> stops, boolean chat,
                                              boolean usage, ChunkShape shape) {
        List<TokenRelay> relays = submitAll(prepared, p -> TokenRelay.submit(service, p), TokenRelay::running);
        return sse(prepared, relays, events -> {
            UsageCount count = new UsageCount();
            for (int i = 0; i < prepared.size(); i++) {
                String requestId = prepared.get(i).requestId().toString();
                sendIfAny(events, shape.opening(i, requestId));
                TextStream text = new TextStream(stops, chat);
                TokenRelay relay = relays.get(i);
                for (List<TokenRelay.Item> items = relay.next(); !items.isEmpty(); items = relay.next()) {
                    for (TokenRelay.Item item : items) {
                        sendIfAny(events, shape.delta(i, text.push(item.delta()), item.token(), requestId));
                    }
                }
                Generation g = service.finish(prepared.get(i), relay.running()).generation();
                events.send(shape.last(i, text.finish(text.finalText(g.text(), g.finishReason())),
                        TextStream.finishReason(g.finishReason()), requestId));
                count.add(g);
            }
            if (usage) {
                events.send(shape.usage(count.usage(), prepared.getFirst().requestId().toString()));
            }
        });
    }

    private static void sendIfAny(EventStream events, Object event) {
        if (event != null) {
            events.send(event);
        }
    }

    /**
     * Writes the choices' chunks, then data: [DONE]; an error is an error event. Whenever the stream ends early
     * (client gone, an error), the choices still generating leave the batch.
     */
    private ResponseEntity<SseEmitter> sse(List<PreparedGeneration> prepared, List<TokenRelay> relays,
                                           EventStream.Body body) {
        SseEmitter emitter = EventStream.open(() -> relays.forEach(TokenRelay::cancel),
                message -> new ErrorBody(new OpenAiResponses.Error(message, "server_error", null, null)),
                events -> {
                    body.write(events);
                    events.sendText("[DONE]");
                });
        return ResponseEntity.ok()
                .header(GenerateController.REQUEST_ID_HEADER, prepared.getFirst().requestId().toString())
                .body(emitter);
    }
}
