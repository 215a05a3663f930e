package org.dcpserve.server.generate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.GeneratedToken.Alternative;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.schedule.SequenceHandle;
import org.dcpserve.core.schedule.StepScheduler;
import org.dcpserve.server.http.ClientConnection;
import org.dcpserve.server.model.DcpProperties;
import org.dcpserve.server.security.ApiKeyAdmission;
import org.dcpserve.server.trace.TraceRecorder;
import org.dcpserve.server.trace.TraceStoreException;
import org.springframework.stereotype.Service;

/**
 * The one generation service: every request runs in the {@link StepScheduler}'s batch. Submitting never
 * waits: a full queue is a {@link org.dcpserve.core.schedule.QueueFullException} (429) at once, before any
 * response byte. Token listeners run on the scheduler's step or pick threads, so they must only hand tokens on
 * (see the controller's stream queue). Every finished generation's drop trace is committed before its response is
 * given; the step loop never waits for the database, since the trace is written on the request's own thread.
 *
 * <p>Every wait is bounded: a request waits at most {@code dcp.generation-timeout} for its generation and
 * {@code dcp.trace-write-timeout} for its trace. A graceful shutdown ({@link #drain}) refuses new generations and
 * waits for the submitted ones to be answered.
 */
@Service
public class GenerationService {

    private final TextGenerator generator;
    private final StepScheduler scheduler;
    private final TraceRecorder traces;
    private final GenerationMetrics metrics;
    private final ApiKeyAdmission keys;
    private final SamplingDefaults defaults;
    private final Duration generationTimeout;
    private final InFlight inFlight = new InFlight();

    GenerationService(TextGenerator generator, StepScheduler scheduler, TraceRecorder traces,
                      GenerationMetrics metrics, ApiKeyAdmission keys, SamplingDefaults defaults,
                      DcpProperties properties) {
        this.generator = generator;
        this.defaults = defaults;
        this.scheduler = scheduler;
        this.traces = traces;
        this.metrics = metrics;
        this.keys = keys;
        this.generationTimeout = properties.generationTimeout();
    }

    /** The generator, for adapters that describe the model (context length, vocabulary). */
    public TextGenerator generator() {
        return generator;
    }

    /**
     * Checks a request against the model (prompt length, context) and fixes its seed; throws if it cannot run.
     * Sampling settings it leaves out are the model's ({@link SamplingDefaults}).
     */
    public PreparedGeneration prepare(GenerateRequest request) {
        return prepare(request, null);
    }

    /**
     * {@link #prepare(GenerateRequest)} of a prompt the caller encoded: {@code promptIds} are fed as they are (no BOS
     * added), {@code request.inputs()} is their text (a rendered chat template); null: the inputs are encoded.
     */
    public PreparedGeneration prepare(GenerateRequest request, int[] promptIds) {
        GenerateParameters p = request.parametersOrDefault();
        refuseUnsupported(p);
        float temperature = defaults.sample(p.doSample(), p.temperature()) ? defaults.temperature(p.temperature()) : 0f;
        long seed = p.seed() != null ? p.seed() : ThreadLocalRandom.current().nextLong();
        SamplingParams sampling = new SamplingParams(temperature, defaults.topK(p.topK()), defaults.topP(p.topP()), seed,
                defaults.repetitionPenalty(p.repetitionPenalty()), orDefault(p.frequencyPenalty(), 0f),
                orDefault(p.presencePenalty(), 0f), orDefault(p.typicalP(), 1f));
        int maxNewTokens = p.maxNewTokens() == null ? GenerateParameters.DEFAULT_MAX_NEW_TOKENS : p.maxNewTokens();
        GenerationRequest generation = new GenerationRequest(request.inputs(), maxNewTokens, sampling, p.stop(),
                p.truncate(), p.pruning(), p.topNTokens() == null ? 0 : p.topNTokens(), promptIds);
        // Encoded and checked against the context once: the scheduler and decoder_input_details feed these ids.
        generation = generation.encoded(generator.promptTokens(generation));
        // pruning=true on a model without gates is refused here, before the request takes a place in the queue.
        generator.policyFor(generation.pruning());
        String owner = keys.owner(maxNewTokens);
        return new PreparedGeneration(UUID.randomUUID(), generation, Boolean.TRUE.equals(p.details()),
                Boolean.TRUE.equals(p.decoderInputDetails()), Boolean.TRUE.equals(p.returnFullText()),
                !Boolean.FALSE.equals(p.trace()), owner);
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
     * Queues a prepared generation in the step scheduler; never waits. {@code listener} runs on the step
     * thread or a pick thread (the batch's picks run side by side) and must return at once. The calling key is
     * charged the generation's tokens here, and given them back when the scheduler refuses it: a refused request
     * costs its key nothing.
     *
     * @throws org.dcpserve.server.security.RateLimitedException when the key's tokens are spent (429)
     * @throws org.dcpserve.core.schedule.QueueFullException when the queue is full (429)
     * @throws org.dcpserve.core.schedule.KvBudgetExceededException when the request alone passes the KV budget
     * @throws org.dcpserve.core.schedule.SchedulerUnavailableException when the step loop failed or the service is
     *         stopping (503)
     * @throws TraceStoreException when the request is traced and the trace writer failed (503)
     */
    public Running submit(PreparedGeneration prepared, TokenListener listener) {
        if (prepared.traced()) {
            traces.requireWriter();
        }
        long start = System.nanoTime();
        ApiKeyAdmission.TokenCharge charge = keys.charge(prepared.request().maxNewTokens());
        SequenceHandle<Generation> handle;
        try {
            handle = scheduler.submit(generator.decoding(prepared.request(), listener, prepared.decoderInputDetails()));
        } catch (RuntimeException refused) {
            charge.refund();
            throw refused;
        }
        return new Running(handle, start, generationTimeout, inFlight.enter(), charge);
    }

    /**
     * The graceful shutdown: new generations are refused (503) from now on; waits until every submitted one was
     * answered, trace committed, or {@code grace} passed. Returns the generations still in flight (0: drained).
     */
    public int drain(Duration grace) throws InterruptedException {
        scheduler.stopAccepting();
        inFlight.awaitNone(grace);
        return inFlight.count();
    }

    /** Takes new generations again after {@link #drain}: a lifecycle restarted without a new context. */
    public void resume() {
        scheduler.resumeAccepting();
    }

    /**
     * Waits for a submitted generation, then stores its drop trace (unless the request asked not to be traced).
     * Returns only once the trace is committed, so GET /explain finds it as soon as the client has the response;
     * throws TraceStoreException if it could not be stored, GenerationCancelledException if the generation was
     * cancelled.
     */
    public Completed finish(PreparedGeneration prepared, Running running) {
        try {
            // On the request's thread a client that closes its connection while it waits cancels the generation.
            Generation generation = running.await(ClientConnection.current());
            metrics.finished(generation, System.nanoTime() - running.startNanos());
            long traceWriteNanos = prepared.traced()
                    ? traces.record(prepared.requestId(), prepared.owner(), promptAsFed(prepared.request(), generation),
                            generation)
                    : 0;
            return new Completed(generation, traceWriteNanos);
        } finally {
            running.answered();
        }
    }

    /**
     * The prompt as the model saw it, for the trace: as sent, or, when {@code truncate} may have cut it, the text of
     * the tokens fed. Decoded with BOS in front (a SentencePiece decoder drops the space it adds after BOS), then
     * without BOS's own text (GPT-2's BOS decodes to "<|endoftext|>").
     */
    private String promptAsFed(GenerationRequest request, Generation generation) {
        if (request.truncate() == null) {
            return request.prompt();
        }
        int[] ids = generation.prompt().stream().mapToInt(GeneratedToken::id).toArray();
        String text = generator.tokenizer().decode(ids);
        Integer bos = generator.config().tokenizer().bosId();
        String bosText = bos == null || ids.length == 0 || ids[0] != bos ? ""
                : generator.tokenizer().decode(new int[] {bos});
        return text.startsWith(bosText) ? text.substring(bosText.length()) : text;
    }

    /** Submits and waits: the whole generation, its trace committed. */
    public Completed generate(PreparedGeneration prepared) {
        return finish(prepared, submit(prepared, TokenListener.NONE));
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
                prepared.traced() ? completed.traceWriteNanos() / 1e6 : null);
        boolean greedy = prepared.request().sampling().isGreedy();
        List<GenerateResponse.Token> prefill = tokens(generation.prompt());
        if (generation.promptLogprobs() != null) {
            List<GenerateResponse.Token> scored = new ArrayList<>(prefill.size());
            for (GenerateResponse.Token p : prefill) {
                float logprob = generation.promptLogprobs()[p.position()];
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

    /**
     * A validated request with its id, ready to run.
     *
     * @param details             the TGI response carries details
     * @param decoderInputDetails the prompt's log-probabilities are computed, in the generation's own prefill (TGI
     *                            decoder_input_details)
     * @param returnFullText      TGI's generated_text starts with the prompt
     * @param traced              its drop trace is stored (false: nothing of it goes into the database)
     * @param owner               the API key that asked, owner of the trace; null when keys are off
     */
    public record PreparedGeneration(UUID requestId, GenerationRequest request, boolean details,
                                     boolean decoderInputDetails, boolean returnFullText, boolean traced,
                                     String owner) {
    }

    /** A generation whose trace is stored, and how long storing it took. */
    public record Completed(Generation generation, long traceWriteNanos) {
    }

    /**
     * A generation in the scheduler, queued or running, until its request is answered ({@link #finish}) or
     * gives up on it ({@link #cancel}).
     */
    public static final class Running {

        /** How often a waiting request looks at its client's connection: a closed one stops its generation. */
        private static final Duration CLIENT_CHECK = Duration.ofMillis(50);

        private final SequenceHandle<Generation> handle;
        private final long startNanos;
        private final Duration timeout;
        private final InFlight.Ticket ticket;
        private final ApiKeyAdmission.TokenCharge charge;

        Running(SequenceHandle<Generation> handle, long startNanos, Duration timeout, InFlight.Ticket ticket,
                ApiKeyAdmission.TokenCharge charge) {
            this.handle = handle;
            this.startNanos = startNanos;
            this.timeout = timeout;
            this.ticket = ticket;
            this.charge = charge;
        }

        /** Completes (on the step thread: attach only quick actions) when the generation ends in any way. */
        public CompletableFuture<Generation> result() {
            return handle.result();
        }

        long startNanos() {
            return startNanos;
        }

        /** Time left of dcp.generation-timeout, counted from the submission (negative once past). */
        public long nanosLeft() {
            return startNanos + timeout.toNanos() - System.nanoTime();
        }

        /** Takes the generation out of the queue or the batch; its client is gone. */
        public void cancel() {
            handle.cancel();
            ticket.leave();
        }

        /**
         * Cancels a generation whose request is refused as a whole (another choice of it was refused), and gives its
         * key the tokens back.
         */
        public void withdraw() {
            if (handle.cancel()) {
                charge.refund();
            }
            ticket.leave();
        }

        /** Past dcp.generation-timeout: cancels the generation and returns what to throw. */
        public GenerationTimeoutException timedOut() {
            cancel();
            return new GenerationTimeoutException(timeout);
        }

        void answered() {
            ticket.leave();
        }

        /** Waits for the result, looking at the client's connection every {@link #CLIENT_CHECK} meanwhile. */
        Generation await(ClientConnection client) {
            try {
                while (true) {
                    try {
                        return handle.result().get(Math.clamp(nanosLeft(), 0, CLIENT_CHECK.toNanos()),
                                TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        if (nanosLeft() <= 0) {
                            throw timedOut();
                        }
                        if (client.closed()) {
                            cancel();
                            throw GenerationCancelledException.clientGone();
                        }
                    }
                }
            } catch (CancellationException e) {
                throw new GenerationCancelledException(e);
            } catch (InterruptedException e) {
                handle.cancel();
                Thread.currentThread().interrupt();
                throw new GenerationCancelledException(e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof CancellationException) {
                    throw new GenerationCancelledException(cause);
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
