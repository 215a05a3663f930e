package org.dcpserve.server.generate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.server.model.DcpProperties;
import org.dcpserve.server.trace.TraceRecorder;
import org.springframework.stereotype.Service;

/**
 * Runs generations with a bounded number in flight: each one holds a slot for its whole run, and a
 * request that cannot get a slot within the configured wait is turned away (429) instead of piling up.
 * Every finished generation's drop trace is committed before its response is given.
 */
@Service
public class GenerationService {

    private final TextGenerator generator;
    private final TraceRecorder traces;
    private final Semaphore slots;
    private final DcpProperties properties;
    private final Timer requestTimer;
    private final Counter generatedTokens;

    GenerationService(TextGenerator generator, TraceRecorder traces, DcpProperties properties, MeterRegistry meters) {
        this.generator = generator;
        this.traces = traces;
        this.properties = properties;
        this.slots = new Semaphore(properties.maxConcurrent(), true);
        this.requestTimer = Timer.builder("dcp.generation.duration").description("Time of whole generations")
                .register(meters);
        this.generatedTokens = Counter.builder("dcp.generation.tokens").description("Tokens generated")
                .register(meters);
    }

    /** Checks a request against the model (prompt length, context) and fixes its seed; throws if it cannot run. */
    public PreparedGeneration prepare(GenerateRequest request) {
        GenerateParameters p = request.parametersOrDefault();
        boolean sample = p.doSample() != null ? p.doSample() : p.temperature() != null && p.temperature() > 0;
        float temperature = !sample ? 0f : p.temperature() != null && p.temperature() > 0 ? p.temperature() : 1f;
        long seed = p.seed() != null ? p.seed() : ThreadLocalRandom.current().nextLong();
        SamplingParams sampling = new SamplingParams(temperature, p.topK() == null ? 0 : p.topK(),
                p.topP() == null ? 1f : p.topP(), seed);
        int maxNewTokens = p.maxNewTokens() == null ? GenerateParameters.DEFAULT_MAX_NEW_TOKENS : p.maxNewTokens();
        GenerationRequest generation = new GenerationRequest(request.inputs(), maxNewTokens, sampling, p.stop(),
                p.truncate(), p.pruning());
        generator.promptTokens(generation);
        // pruning=true on a model without gates is refused here, before the request waits for a slot.
        generator.policyFor(generation.pruning());
        return new PreparedGeneration(UUID.randomUUID(), generation, p.details() == null || p.details());
    }

    /**
     * Runs a prepared generation, then stores its drop trace. Returns only once the trace is committed, so
     * GET /explain finds it as soon as the client has the response; throws TraceStoreException if it
     * could not be stored.
     */
    public Completed generate(PreparedGeneration prepared, TokenListener listener) {
        Generation generation = run(prepared, listener);
        // The slot is free again: a slow database delays this response, not the generations waiting behind it.
        long traceWriteNanos = traces.record(prepared.requestId(), prepared.request().prompt(), generation);
        return new Completed(generation, traceWriteNanos);
    }

    /** Runs a prepared generation, holding a slot (waiting for one first) only while the model computes. */
    private Generation run(PreparedGeneration prepared, TokenListener listener) {
        acquireSlot();
        try {
            Generation generation = requestTimer.recordCallable(() -> generator.generate(prepared.request(), listener));
            generatedTokens.increment(generation.tokens().size());
            return generation;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            slots.release();
        }
    }

    GenerateResponse toResponse(PreparedGeneration prepared, Completed completed) {
        return new GenerateResponse(completed.generation().text(), prepared.requestId().toString(),
                prepared.details() ? details(prepared, completed) : null);
    }

    GenerateResponse.Details details(PreparedGeneration prepared, Completed completed) {
        Generation generation = completed.generation();
        Generation.Timings t = generation.timings();
        var timings = new GenerateResponse.Timings(t.prefillNanos() / 1e6, t.decodeNanos() / 1e6,
                (t.prefillNanos() + t.decodeNanos()) / 1e6, t.decodeTokensPerSecond(generation.tokens().size()),
                completed.traceWriteNanos() / 1e6);
        boolean greedy = prepared.request().sampling().isGreedy();
        return new GenerateResponse.Details(generation.finishReason(), generation.prompt().size(),
                generation.tokens().size(), greedy ? null : generation.seed(), timings,
                GenerateResponse.Pruning.of(generation.pruning()),
                tokens(generation.prompt()), tokens(generation.tokens()));
    }

    static GenerateResponse.Token token(GeneratedToken t) {
        return new GenerateResponse.Token(t.id(), t.text(), t.position(), Float.isNaN(t.logprob()) ? null : t.logprob(),
                t.special());
    }

    private static List<GenerateResponse.Token> tokens(List<GeneratedToken> tokens) {
        return tokens.stream().map(GenerationService::token).toList();
    }

    private void acquireSlot() {
        try {
            if (!slots.tryAcquire(properties.maxQueueWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new OverloadedException("all " + properties.maxConcurrent() + " generation slots stayed busy for "
                        + properties.maxQueueWait().toSeconds() + " s; retry later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for a generation slot");
        }
    }

    /** A validated request with its id, ready to run. */
    public record PreparedGeneration(UUID requestId, GenerationRequest request, boolean details) {
    }

    /** A generation whose trace is stored, and how long storing it took. */
    public record Completed(Generation generation, long traceWriteNanos) {
    }
}
