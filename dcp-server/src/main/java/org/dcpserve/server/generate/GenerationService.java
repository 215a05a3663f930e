package org.dcpserve.server.generate;

import java.util.ArrayList;
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
import org.dcpserve.core.generate.GeneratedToken.Alternative;
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
    private final GenerationMetrics metrics;

    GenerationService(TextGenerator generator, TraceRecorder traces, DcpProperties properties,
                      GenerationMetrics metrics) {
        this.generator = generator;
        this.traces = traces;
        this.properties = properties;
        this.slots = new Semaphore(properties.maxConcurrent(), true);
        this.metrics = metrics;
    }

    /** The generator's model config, for adapters that describe the model (context length, vocabulary). */
    public TextGenerator generator() {
        return generator;
    }

    /** Checks a request against the model (prompt length, context) and fixes its seed; throws if it cannot run. */
    public PreparedGeneration prepare(GenerateRequest request) {
        GenerateParameters p = request.parametersOrDefault();
        refuseUnsupported(p);
        boolean sample = p.doSample() != null ? p.doSample() : p.temperature() != null && p.temperature() > 0;
        float temperature = !sample ? 0f : p.temperature() != null && p.temperature() > 0 ? p.temperature() : 1f;
        long seed = p.seed() != null ? p.seed() : ThreadLocalRandom.current().nextLong();
        SamplingParams sampling = new SamplingParams(temperature, p.topK() == null ? 0 : p.topK(),
                p.topP() == null ? 1f : p.topP(), seed, orDefault(p.repetitionPenalty(), 1f),
                orDefault(p.frequencyPenalty(), 0f), orDefault(p.presencePenalty(), 0f), orDefault(p.typicalP(), 1f));
        int maxNewTokens = p.maxNewTokens() == null ? GenerateParameters.DEFAULT_MAX_NEW_TOKENS : p.maxNewTokens();
        GenerationRequest generation = new GenerationRequest(request.inputs(), maxNewTokens, sampling, p.stop(),
                p.truncate(), p.pruning(), p.topNTokens() == null ? 0 : p.topNTokens());
        generator.promptTokens(generation);
        // pruning=true on a model without gates is refused here, before the request waits for a slot.
        generator.policyFor(generation.pruning());
        return new PreparedGeneration(UUID.randomUUID(), generation, Boolean.TRUE.equals(p.details()),
                Boolean.TRUE.equals(p.decoderInputDetails()), Boolean.TRUE.equals(p.returnFullText()));
    }

    /** TGI parameters that are accepted on the wire, but only with their default (or null). */
    private static void refuseUnsupported(GenerateParameters p) {
        if (p.bestOf() != null && p.bestOf() > 1) {
            throw new UnsupportedParameterException("parameters.best_of", "best_of " + p.bestOf()
                    + " is not supported: this server generates one sequence per request; leave best_of out or set it"
                    + " to 1 (send several requests with different seeds instead)");
        }
        if (Boolean.TRUE.equals(p.watermark())) {
            throw new UnsupportedParameterException("parameters.watermark",
                    "watermark is not supported; leave it out or set it to false");
        }
        if (p.grammar() != null) {
            throw new UnsupportedParameterException("parameters.grammar",
                    "grammar (guided generation) is not supported; leave it out or set it to null");
        }
        if (p.adapterId() != null) {
            throw new UnsupportedParameterException("parameters.adapter_id", "adapter_id '" + p.adapterId()
                    + "' is not supported: this server serves one model without LoRA adapters; leave it out");
        }
    }

    private static float orDefault(Float value, float otherwise) {
        return value == null ? otherwise : value;
    }

    /**
     * Runs a prepared generation, then stores its drop trace. Returns only once the trace is committed, so
     * GET /explain finds it as soon as the client has the response; throws TraceStoreException if it
     * could not be stored.
     */
    public Completed generate(PreparedGeneration prepared, TokenListener listener) {
        Run run = run(prepared, listener);
        // The slot is free again: a slow database delays this response, not the generations waiting behind it.
        long traceWriteNanos = traces.record(prepared.requestId(), prepared.request().prompt(), run.generation());
        return new Completed(run.generation(), traceWriteNanos, run.promptLogprobs());
    }

    private record Run(Generation generation, float[] promptLogprobs) {
    }

    /** Runs a prepared generation, holding a slot (waiting for one first) only while the model computes. */
    private Run run(PreparedGeneration prepared, TokenListener listener) {
        acquireSlot();
        try {
            long start = System.nanoTime();
            Generation generation = generator.generate(prepared.request(), listener);
            metrics.finished(generation, System.nanoTime() - start);
            float[] promptLogprobs = prepared.decoderInputDetails() ? generator.promptLogprobs(prepared.request())
                    : null;
            return new Run(generation, promptLogprobs);
        } finally {
            slots.release();
        }
    }

    GenerateResponse toResponse(PreparedGeneration prepared, Completed completed) {
        return new GenerateResponse(generatedText(prepared, completed), prepared.requestId().toString(),
                prepared.details() ? details(prepared, completed) : null);
    }

    /** The text a TGI client gets: with the prompt in front when return_full_text was asked. */
    static String generatedText(PreparedGeneration prepared, Completed completed) {
        String text = completed.generation().text();
        return prepared.returnFullText() ? prepared.request().prompt() + text : text;
    }

    GenerateResponse.Details details(PreparedGeneration prepared, Completed completed) {
        Generation generation = completed.generation();
        Generation.Timings t = generation.timings();
        var timings = new GenerateResponse.Timings(t.prefillNanos() / 1e6, t.decodeNanos() / 1e6,
                (t.prefillNanos() + t.decodeNanos()) / 1e6, t.decodeTokensPerSecond(generation.tokens().size()),
                completed.traceWriteNanos() / 1e6);
        boolean greedy = prepared.request().sampling().isGreedy();
        List<GenerateResponse.Token> prefill = tokens(generation.prompt());
        if (completed.promptLogprobs() != null) {
            List<GenerateResponse.Token> scored = new ArrayList<>(prefill.size());
            for (GenerateResponse.Token p : prefill) {
                float logprob = completed.promptLogprobs()[p.position()];
                scored.add(new GenerateResponse.Token(p.id(), p.text(), p.position(),
                        Float.isNaN(logprob) ? null : logprob, p.special()));
            }
            prefill = scored;
        }
        List<List<GenerateResponse.TopToken>> top = prepared.request().topNTokens() == 0 ? null
                : generation.tokens().stream().map(GenerationService::topTokens).toList();
        return new GenerateResponse.Details(generation.finishReason(), generation.prompt().size(),
                generation.tokens().size(), greedy ? null : generation.seed(), timings,
                GenerateResponse.Pruning.of(generation.pruning()), prefill, tokens(generation.tokens()), top,
                generation.prompt().size());
    }

    static GenerateResponse.Token token(GeneratedToken t) {
        return new GenerateResponse.Token(t.id(), t.text(), t.position(), Float.isNaN(t.logprob()) ? null : t.logprob(),
                t.special());
    }

    static List<GenerateResponse.TopToken> topTokens(GeneratedToken t) {
        return t.topTokens().stream().map(GenerationService::topToken).toList();
    }

    private static GenerateResponse.TopToken topToken(Alternative a) {
        return new GenerateResponse.TopToken(a.id(), a.text(), a.logprob(), a.special());
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

    /**
     * A validated request with its id, ready to run.
     *
     * @param details             the TGI response carries details
     * @param decoderInputDetails the prompt's log-probabilities are computed (TGI decoder_input_details)
     * @param returnFullText      TGI's generated_text starts with the prompt
     */
    public record PreparedGeneration(UUID requestId, GenerationRequest request, boolean details,
                                     boolean decoderInputDetails, boolean returnFullText) {
    }

    /**
     * A generation whose trace is stored, and how long storing it took.
     *
     * @param promptLogprobs per prompt position, its log-probability (NaN for the first); null unless asked
     */
    public record Completed(Generation generation, long traceWriteNanos, float[] promptLogprobs) {
    }
}
