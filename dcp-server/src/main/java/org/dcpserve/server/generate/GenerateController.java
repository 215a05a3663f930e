package org.dcpserve.server.generate;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.server.error.ProblemResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Text generation over HTTP in Hugging Face TGI's wire format: POST / (dispatching on stream, as TGI does),
 * /generate and /generate_stream. Every response carries its request id (body and X-Request-Id header), the
 * key of its drop trace at GET /explain/{request_id}.
 */
@RestController
@Tag(name = "generate", description = "Text generation with Dynamic Context Pruning (Hugging Face TGI wire format)")
public class GenerateController {

    /** The response header that names a generation's drop trace, on every generation route. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private static final String TRACE_ID = "The request id of the drop trace";

    private final GenerationService service;

    GenerateController(GenerationService service) {
        this.service = service;
    }

    @PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Generate a continuation of the prompt",
            description = "The request's drop trace is stored before the response is sent: GET /explain/{request_id}"
                    + " finds it at once. With details: true, details.pruning has the per-layer counts; /explain has"
                    + " every drop. A stream field is accepted and ignored (this route always answers with JSON).")
    @ApiResponse(responseCode = "200", description = "The generated text",
            headers = @Header(name = REQUEST_ID_HEADER, description = TRACE_ID))
    @GenerationProblemResponses
    ResponseEntity<GenerateResponse> generate(@Valid @RequestBody GenerateRequest request) {
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        GenerateResponse response = service.toResponse(prepared, service.generate(prepared));
        return ResponseEntity.ok().header(REQUEST_ID_HEADER, response.requestId()).body(response);
    }

    @PostMapping(path = "/generate_stream", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Generate with Server-Sent Events: one event per token, the last one with the whole text",
            description = "As TGI: every event has index and token (and top_tokens when asked); the last one also"
                    + " generated_text and, with details: true, the details. Ours: text_delta and request_id. The drop"
                    + " trace is stored before the last event is sent; if it cannot be, the last event is"
                    + " {error, error_type} instead. A full queue is a 429 before the stream opens.")
    @ApiResponse(responseCode = "200", description = "The event stream",
            headers = @Header(name = REQUEST_ID_HEADER, description = TRACE_ID),
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    schema = @Schema(implementation = StreamEvent.class)))
    @GenerationProblemResponses
    ResponseEntity<SseEmitter> generateStream(@Valid @RequestBody GenerateRequest request) {
        // Validation and queueing happen before the stream opens, so bad input still gets a plain 4xx problem
        // detail, and a full queue a 429, never a 200 followed by an error event.
        return sse(service.prepare(request));
    }

    @PostMapping(path = "/", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "TGI's compatibility route: stream false answers as /generate in a one-element array,"
            + " stream true as /generate_stream",
            description = "What Hugging Face clients call when pointed at the service root.")
    @ApiResponse(responseCode = "200", description = "[GenerateResponse] (stream false) or Server-Sent Events"
            + " (stream true)",
            headers = @Header(name = REQUEST_ID_HEADER, description = TRACE_ID),
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                        array = @ArraySchema(schema = @Schema(implementation = GenerateResponse.class))),
                @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                        schema = @Schema(implementation = StreamEvent.class))})
    @GenerationProblemResponses
    ResponseEntity<? extends ResponseBodyEmitter> compat(@Valid @RequestBody GenerateRequest request)
            throws IOException {
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        if (Boolean.TRUE.equals(request.stream())) {
            return sse(prepared);
        }
        GenerateResponse response = service.toResponse(prepared, service.generate(prepared));
        // One handler answers both ways, so the JSON goes out through an emitter too (already complete).
        ResponseBodyEmitter json = new ResponseBodyEmitter();
        json.send(List.of(response), MediaType.APPLICATION_JSON);
        json.complete();
        return ResponseEntity.ok().header(REQUEST_ID_HEADER, response.requestId())
                .contentType(MediaType.APPLICATION_JSON).body(json);
    }

    private ResponseEntity<SseEmitter> sse(GenerationService.PreparedGeneration prepared) {
        TokenRelay relay = TokenRelay.submit(service, prepared);
        SseEmitter emitter = EventStream.open(relay::cancel, message -> StreamEvent.error(message, "generation"),
                events -> stream(prepared, relay, events));
        return ResponseEntity.ok().header(REQUEST_ID_HEADER, prepared.requestId().toString()).body(emitter);
    }

    /**
     * Sends each token's event as soon as the step thread relayed it (all that are waiting in one write); only the
     * last token's event waits, for the trace commit, since it also carries the whole text (as in TGI).
     */
    private void stream(GenerationService.PreparedGeneration prepared, TokenRelay relay, EventStream events)
            throws InterruptedException {
        String requestId = prepared.requestId().toString();
        boolean top = prepared.request().topNTokens() > 0;
        StreamEvent last = null;
        int index = 0;
        for (List<TokenRelay.Item> items = relay.next(); !items.isEmpty(); items = relay.next()) {
            List<Object> ready = new ArrayList<>(items.size());
            for (TokenRelay.Item item : items) {
                StreamEvent event = StreamEvent.token(++index, GenerationService.token(item.token()),
                        top ? GenerationService.topTokens(item.token()) : null, item.delta(), requestId);
                if (item.last()) {
                    last = event;
                } else {
                    ready.add(event);
                }
            }
            events.sendAll(ready);
        }
        // The trace is committed before the final event, as for /generate (finish throws if the generation failed).
        GenerationService.Completed completed = service.finish(prepared, relay.running());
        if (last == null) {
            throw new IllegalStateException("the generation ended without marking its last token");
        }
        events.send(last.last(GenerationService.generatedText(prepared, completed),
                prepared.details() ? service.details(prepared, completed) : null));
    }
}
