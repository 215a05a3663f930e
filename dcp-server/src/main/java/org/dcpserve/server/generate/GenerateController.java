package org.dcpserve.server.generate;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Text generation over HTTP, in the request/response shape of Hugging Face TGI. */
@RestController
@Tag(name = "generate", description = "Text generation with Dynamic Context Pruning")
class GenerateController {

    private final GenerationService service;
    /** Streaming generations run on virtual threads so a slow client never holds a servlet thread. */
    private final ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor();

    GenerateController(GenerationService service) {
        this.service = service;
    }

    @PostMapping(path = "/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Generate a continuation of the prompt",
            description = "The request's drop trace is stored before the response is sent: GET /explain/{request_id}"
                    + " finds it at once. details.pruning has the per-layer counts, /explain every drop.")
    @ApiResponse(responseCode = "200", description = "The generated text")
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked (see detail)",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "Every generation slot is busy",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "503", description = "The drop trace could not be stored, so no result is given",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    GenerateResponse generate(@Valid @RequestBody GenerateRequest request) {
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        return service.toResponse(prepared, service.generate(prepared, (token, delta) -> { }));
    }

    @PostMapping(path = "/generate_stream", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Generate with Server-Sent Events: one event per token, the last one with the details",
            description = "The drop trace is stored before the last event is sent; if it cannot be, the last event"
                    + " is an error instead.")
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked (see detail)",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    SseEmitter generateStream(@Valid @RequestBody GenerateRequest request) {
        // Validation happens before the stream opens, so bad input still gets a plain 4xx problem detail.
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        SseEmitter emitter = new SseEmitter(0L);
        streams.execute(() -> stream(prepared, emitter));
        return emitter;
    }

    private void stream(GenerationService.PreparedGeneration prepared, SseEmitter emitter) {
        try {
            // The trace is committed before the final event, as for /generate.
            GenerationService.Completed completed = service.generate(prepared, (token, delta) -> send(emitter,
                    new StreamEvent(GenerationService.token(token), delta, null, null, null)));
            send(emitter, new StreamEvent(null, null, completed.generation().text(),
                    prepared.requestId().toString(), service.details(prepared, completed)));
        } catch (ClientGoneException e) {
            // Nobody is listening any more.
        } catch (Throwable e) {
            // The status line is long gone: the error travels as the last event (a lost trace included).
            try {
                send(emitter, StreamEvent.error(e instanceof RuntimeException ? e.getMessage()
                        : "the server could not complete the generation; the log has the cause"));
            } catch (ClientGoneException gone) {
                // Nobody to tell.
            }
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            // Whatever happened, the stream ends: the emitter has no timeout, so an open one would hang the client.
            emitter.complete();
        }
    }

    private static void send(SseEmitter emitter, StreamEvent event) {
        try {
            emitter.send(SseEmitter.event().data(event, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            // The client went away: stop generating for it.
            throw new ClientGoneException();
        }
    }

    private static final class ClientGoneException extends RuntimeException {
        ClientGoneException() {
            super("client disconnected", null, false, false);
        }
    }
}
