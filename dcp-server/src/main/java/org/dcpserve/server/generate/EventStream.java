package org.dcpserve.server.generate;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A Server-Sent Events response written on a virtual thread of its own, so a slow client never holds a servlet
 * thread or the step loop. Whatever ends the stream early (the client gone, an interrupt, an error) cancels the
 * generations behind it, so they leave the batch at the next step; an error travels as the last event, since
 * the status line is long gone. The stream always ends: the emitter has no timeout of its own, but every wait of
 * a body is bounded (its tokens and result by dcp.generation-timeout, its trace by dcp.trace-write-timeout) and
 * the emitter is completed however the body ends.
 */
public final class EventStream {

    /** Writes the events of one response. */
    @FunctionalInterface
    public interface Body {
        void write(EventStream events) throws InterruptedException;
    }

    private final SseEmitter emitter = new SseEmitter(0L);

    private EventStream() {
    }

    /**
     * Opens the stream and starts writing it.
     *
     * @param cancel     takes the generations behind the stream out of the scheduler
     * @param errorEvent the last event when writing fails, from a message fit for the client
     */
    public static SseEmitter open(Runnable cancel, Function<String, Object> errorEvent, Body body) {
        EventStream events = new EventStream();
        events.emitter.onError(error -> cancel.run());
        events.emitter.onTimeout(cancel);
        Thread.ofVirtual().name("event-stream").start(() -> events.write(cancel, errorEvent, body));
        return events.emitter;
    }

    private void write(Runnable cancel, Function<String, Object> errorEvent, Body body) {
        try {
            body.write(this);
        } catch (ClientGoneException e) {
            cancel.run();
        } catch (InterruptedException e) {
            cancel.run();
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            cancel.run();
            try {
                send(errorEvent.apply(e instanceof RuntimeException ? e.getMessage()
                        : "the server could not complete the generation; the log has the cause"));
            } catch (ClientGoneException gone) {
                // Nobody to tell.
            }
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            emitter.complete();
        }
    }

    /** One event, as JSON. */
    public void send(Object event) {
        sendAll(List.of(event));
    }

    /** Events as JSON, in one write and one flush. */
    public void sendAll(List<?> events) {
        if (events.isEmpty()) {
            return;
        }
        Set<ResponseBodyEmitter.DataWithMediaType> data = new LinkedHashSet<>();
        for (Object event : events) {
            data.addAll(SseEmitter.event().data(event, MediaType.APPLICATION_JSON).build());
        }
        emit(data);
    }

    /** One event whose data is this text as it is (OpenAI's {@code [DONE]}). */
    public void sendText(String data) {
        emit(SseEmitter.event().data(data, MediaType.TEXT_PLAIN).build());
    }

    private void emit(Set<ResponseBodyEmitter.DataWithMediaType> data) {
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
