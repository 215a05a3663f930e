package org.dcpserve.server.generate;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Text generation over HTTP, in the request/response shape of Hugging Face TGI. */
@RestController
@Tag(name = "generate", description = "Text generation with Dynamic Context Pruning")
class GenerateController {

    private final GenerationService service;
    /** Marks the end of a stream's token events. */
    private static final Object END = new Object();
    /** Streams are written on virtual threads so a slow client never holds a servlet thread or the step loop. */
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
    @ApiResponse(responseCode = "429", description = "The generation queue is full",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "503", description = "The drop trace could not be stored, so no result is given",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    GenerateResponse generate(@Valid @RequestBody GenerateRequest request) {
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        return service.toResponse(prepared, service.generate(prepared));
    }

    @PostMapping(path = "/generate_stream", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Generate with Server-Sent Events: one event per token, the last one with the details",
            description = "The drop trace is stored before the last event is sent; if it cannot be, the last event"
                    + " is an error instead. A full queue is a 429 before the stream opens.")
    @ApiResponse(responseCode = "422", description = "The request cannot be served as asked (see detail)",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "The generation queue is full",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
    SseEmitter generateStream(@Valid @RequestBody GenerateRequest request) {
        // Validation and queueing happen before the stream opens, so bad input still gets a plain 4xx problem
        // detail, and a full queue a 429, never a 200 followed by an error event.
        GenerationService.PreparedGeneration prepared = service.prepare(request);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        // Runs on the step thread: only hands the token over to this stream's writer.
        GenerationService.Running running = service.submit(prepared, (token, delta) -> events.add(
                new StreamEvent(GenerationService.token(token), delta, null, null, null)));
        running.result().whenComplete((generation, error) -> events.add(END));
        SseEmitter emitter = new SseEmitter(0L);
        emitter.onError(error -> running.cancel());
        emitter.onTimeout(running::cancel);
        streams.execute(() -> stream(prepared, running, events, emitter));
        return emitter;
    }

    /**
     * The writer of one stream, on its own virtual thread: sends the tokens the step thread queued (all that
     * are waiting in one write), so a slow client only delays itself, and cancels the generation when the
     * client is gone.
     */
    private void stream(GenerationService.PreparedGeneration prepared, GenerationService.Running running,
                        BlockingQueue<Object> events, SseEmitter emitter) {
        try {
            List<Object> ready = new ArrayList<>();
            boolean ended = false;
            while (!ended) {
                ready.add(events.take());
                events.drainTo(ready);
                ended = ready.getLast() == END;
                if (ended) {
                    ready.removeLast();
                }
                send(emitter, ready);
                ready.clear();
            }
            // The trace is committed before the final event, as for /generate.
            GenerationService.Completed completed = service.finish(prepared, running);
            send(emitter, List.of(new StreamEvent(null, null, completed.generation().text(),
                    prepared.requestId().toString(), service.details(prepared, completed))));
        } catch (ClientGoneException e) {
            // Nobody is listening any more: the sequence leaves the batch at the next step.
            running.cancel();
        } catch (InterruptedException e) {
            running.cancel();
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // The status line is long gone: the error travels as the last event (a lost trace included).
            running.cancel();
            try {
                send(emitter, List.of(StreamEvent.error(e instanceof RuntimeException ? e.getMessage()
                        : "the server could not complete the generation; the log has the cause")));
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

    /** Sends events in one write and one flush. */
    private static void send(SseEmitter emitter, List<Object> events) {
        if (events.isEmpty()) {
            return;
        }
        Set<ResponseBodyEmitter.DataWithMediaType> data = new LinkedHashSet<>();
        for (Object event : events) {
            data.addAll(SseEmitter.event().data(event, MediaType.APPLICATION_JSON).build());
        }
        try {
            emitter.send(data);
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
