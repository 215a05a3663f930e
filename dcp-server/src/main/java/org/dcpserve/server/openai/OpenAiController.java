package org.dcpserve.server.openai;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.server.generate.GenerateController;
import org.dcpserve.server.generate.GenerationService.PreparedGeneration;
import org.dcpserve.server.openai.OpenAiResponses.ChatChunk;
import org.dcpserve.server.openai.OpenAiResponses.ChatCompletion;
import org.dcpserve.server.openai.OpenAiResponses.Completion;
import org.dcpserve.server.openai.OpenAiResponses.CompletionChunk;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's API under /v1, a thin adapter: a request's refusals ({@link RequestRefusals}), its mapping onto
 * generations ({@link OpenAiMapping}), then its choices run ({@link ChoiceRunner}) in the route's shape
 * ({@link CompletionShape}, {@link ChatShape}).
 */
@RestController
@Tag(name = "openai", description = "OpenAI-compatible completions, chat completions and models")
class OpenAiController {

    private static final String FIRST_CHOICE_TRACE = "The request id of the (first choice's) drop trace";
    private static final String TEMPERATURE = "temperature, top_p (and top_k, repetition_penalty) default to the"
            + " model's generation_config.json; without one, temperature is 1 (sampling) as in OpenAI.";

    private final OpenAiMapping mapping;
    private final ChoiceRunner runner;
    private final ChatPrompts chatPrompts;
    private final long started = Instant.now().getEpochSecond();

    OpenAiController(OpenAiMapping mapping, ChoiceRunner runner, ChatPrompts chatPrompts) {
        this.mapping = mapping;
        this.runner = runner;
        this.chatPrompts = chatPrompts;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The served model (one)")
    OpenAiResponses.ModelList models() {
        return new OpenAiResponses.ModelList("list", List.of(model()));
    }

    @GetMapping(path = "/v1/models/{model}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The served model, if that is its id")
    @ApiResponse(responseCode = "200", description = "The model")
    @OpenAiErrorResponses.ModelNotFound
    OpenAiResponses.Model model(@PathVariable("model") String model) {
        mapping.checkModel(model);
        return model();
    }

    private OpenAiResponses.Model model() {
        return mapping.model(started);
    }

    @PostMapping(path = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "OpenAI completions: continue a prompt",
            description = "stream: true answers with Server-Sent Events of completion chunks ending with data: [DONE]."
                    + " Stop sequences are cut from the text. " + TEMPERATURE)
    @ApiResponse(responseCode = "200", description = "The completion (or, with stream, its chunks)",
            headers = @Header(name = GenerateController.REQUEST_ID_HEADER, description = FIRST_CHOICE_TRACE),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Completion.class)),
                @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                        schema = @Schema(implementation = CompletionChunk.class))})
    @OpenAiErrorResponses.OfGeneration
    ResponseEntity<?> completions(@Valid @RequestBody CompletionRequest r) {
        mapping.checkModel(r.model());
        RequestRefusals.refuseUnsupported(r);
        String prompt = OpenAiMapping.prompt(r.prompt());
        List<String> stops = OpenAiMapping.stops(r.stop());
        List<PreparedGeneration> prepared = mapping.prepare(prompt, null, new OpenAiMapping.Options(r.maxTokens(), 16,
                r.temperature(), r.topP(), r.seed(), stops, r.presencePenalty(), r.frequencyPenalty(), r.logprobs(),
                r.pruning(), r.trace()), r.n());
        return runner.run(prepared, stops, Boolean.TRUE.equals(r.stream()), StreamOptions.asksForUsage(r.streamOptions()),
                new CompletionShape("cmpl-" + prepared.getFirst().requestId(), mapping.modelId(), prompt,
                        Boolean.TRUE.equals(r.echo()), r.logprobs()));
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "OpenAI chat completions, through the model's chat template",
            description = ChatPrompts.DESCRIPTION + " stream: true answers with chat.completion.chunk events ending"
                    + " with data: [DONE]. " + TEMPERATURE)
    @ApiResponse(responseCode = "200", description = "The chat completion (or, with stream, its chunks)",
            headers = @Header(name = GenerateController.REQUEST_ID_HEADER, description = FIRST_CHOICE_TRACE),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                        schema = @Schema(implementation = ChatCompletion.class)),
                @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                        schema = @Schema(implementation = ChatChunk.class))})
    @OpenAiErrorResponses.OfGeneration
    ResponseEntity<?> chat(@Valid @RequestBody ChatCompletionRequest r) {
        mapping.checkModel(r.model());
        RequestRefusals.refuseUnsupported(r);
        ChatPrompts.ChatPrompt prompt = chatPrompts.of(r.messages());
        List<String> stops = new ArrayList<>(OpenAiMapping.stops(r.stop()));
        stops.addAll(prompt.stops());
        boolean logprobs = Boolean.TRUE.equals(r.logprobs());
        Integer top = logprobs ? (r.topLogprobs() == null ? 0 : r.topLogprobs()) : null;
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        List<PreparedGeneration> prepared = mapping.prepare(prompt.text(), prompt.ids(), new OpenAiMapping.Options(maxTokens, 128,
                r.temperature(), r.topP(), r.seed(), stops, r.presencePenalty(), r.frequencyPenalty(), top,
                r.pruning(), r.trace()), r.n());
        return runner.run(prepared, stops, Boolean.TRUE.equals(r.stream()), StreamOptions.asksForUsage(r.streamOptions()),
                new ChatShape("chatcmpl-" + prepared.getFirst().requestId(), Instant.now().getEpochSecond(),
                        mapping.modelId(), logprobs, prompt.trimsLeadingWhitespace()));
    }
}
