package org.dcpserve.server.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.dcpserve.core.generate.FinishReason;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.server.generate.EventStream;
import org.dcpserve.server.generate.GenerateController;
import org.dcpserve.server.generate.GenerationService;
import org.dcpserve.server.generate.GenerationService.PreparedGeneration;
import org.dcpserve.server.generate.TokenRelay;
import org.dcpserve.server.openai.OpenAiResponses.ErrorBody;
import org.dcpserve.server.openai.OpenAiResponses.Usage;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Runs the choices of one OpenAI request, for either route: every choice is one generation of the generation
 * service with its own drop trace, all submitted at once so they run side by side in the batch. Then either
 * the whole response, with the usage of them all, or the stream of their chunks. The response's X-Request-Id
 * names the first choice's trace.
 */
@Component
class ChoiceRunner {

    private final GenerationService service;

    ChoiceRunner(GenerationService service) {
        this.service = service;
    }

    /**
     * @param stops        the stop sequences the generations were prepared with, which the client does not see
     * @param usageChunk   with stream: send the usage chunk after the choices' (stream_options.include_usage)
     */
    <C> ResponseEntity<?> run(List<PreparedGeneration> prepared, List<String> stops, boolean stream,
                              boolean usageChunk, ChoiceShape<C> shape) {
        return stream ? stream(prepared, stops, usageChunk, shape) : whole(prepared, stops, shape);
    }

    private <C> ResponseEntity<?> whole(List<PreparedGeneration> prepared, List<String> stops, ChoiceShape<C> shape) {
        List<GenerationService.Running> running = submitAll(prepared, p -> service.submit(p, TokenListener.NONE),
                r -> r);
        List<C> choices = new ArrayList<>();
        UsageCount usage = new UsageCount();
        try {
            for (int i = 0; i < prepared.size(); i++) {
                PreparedGeneration p = prepared.get(i);
                Generation g = service.finish(p, running.get(i)).generation();
                String text = new VisibleText(stops, shape.trimsLeadingWhitespace()).finalText(g.text(),
                        g.finishReason());
                choices.add(shape.choice(i, text, g, finishReason(g.finishReason()), p.requestId().toString()));
                usage.add(g);
            }
        } catch (RuntimeException e) {
            running.forEach(GenerationService.Running::cancel);
            throw e;
        }
        String requestId = firstRequestId(prepared);
        return ResponseEntity.ok().header(GenerateController.REQUEST_ID_HEADER, requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(shape.response(choices, usage.usage(), requestId));
    }

    /**
     * Streams every choice one after the other (all of them generate side by side in the batch, the later
     * ones' tokens wait in their relays), each through its own {@link VisibleText}, then the usage chunk when
     * asked, then data: [DONE]; an error is an error event. The choices are queued before the stream opens, so a
     * full queue is a 429, not an error event; whenever the stream ends early (client gone, an error), the choices
     * still generating leave the batch.
     */
    private ResponseEntity<SseEmitter> stream(List<PreparedGeneration> prepared, List<String> stops,
                                              boolean usageChunk, ChoiceShape<?> shape) {
        List<TokenRelay> relays = submitAll(prepared, p -> TokenRelay.submit(service, p), TokenRelay::running);
        SseEmitter emitter = EventStream.open(() -> relays.forEach(TokenRelay::cancel),
                message -> new ErrorBody(new OpenAiResponses.Error(message, "server_error", null, null)),
                events -> {
                    UsageCount count = new UsageCount();
                    for (int i = 0; i < prepared.size(); i++) {
                        count.add(streamChoice(i, prepared.get(i), relays.get(i), stops, shape, events));
                    }
                    if (usageChunk) {
                        events.send(shape.usage(count.usage(), firstRequestId(prepared)));
                    }
                    events.sendText("[DONE]");
                });
        return ResponseEntity.ok().header(GenerateController.REQUEST_ID_HEADER, firstRequestId(prepared)).body(emitter);
    }

    private Generation streamChoice(int index, PreparedGeneration prepared, TokenRelay relay, List<String> stops,
                                    ChoiceShape<?> shape, EventStream events) throws InterruptedException {
        String requestId = prepared.requestId().toString();
        sendIfAny(events, shape.opening(index, requestId));
        VisibleText text = new VisibleText(stops, shape.trimsLeadingWhitespace());
        for (List<TokenRelay.Item> items = relay.next(); !items.isEmpty(); items = relay.next()) {
            for (TokenRelay.Item item : items) {
                sendIfAny(events, shape.delta(index, text.push(item.delta()), item.token(), requestId));
            }
        }
        Generation g = service.finish(prepared, relay.running()).generation();
        events.send(shape.last(index, text.finish(text.finalText(g.text(), g.finishReason())),
                finishReason(g.finishReason()), requestId));
        return g;
    }

    /**
     * Submits every choice at once, so they run side by side in the batch; if one is refused (a full queue),
     * those submitted before it are withdrawn (their tokens given back) and the request fails as a whole.
     */
    private static <T> List<T> submitAll(List<PreparedGeneration> prepared, Function<PreparedGeneration, T> submit,
                                         Function<T, GenerationService.Running> running) {
        List<T> out = new ArrayList<>(prepared.size());
        try {
            for (PreparedGeneration p : prepared) {
                out.add(submit.apply(p));
            }
        } catch (RuntimeException e) {
            out.forEach(t -> running.apply(t).withdraw());
            throw e;
        }
        return out;
    }

    private static String firstRequestId(List<PreparedGeneration> prepared) {
        return prepared.getFirst().requestId().toString();
    }

    private static void sendIfAny(EventStream events, Object event) {
        if (event != null) {
            events.send(event);
        }
    }

    /** OpenAI's finish reasons: an end-of-text token or a stop sequence is "stop", the token limit "length". */
    private static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
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
}
