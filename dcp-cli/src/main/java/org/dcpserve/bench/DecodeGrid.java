package org.dcpserve.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.BatchStep;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RuntimeOptions;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.engine.SyntheticContext;
import org.dcpserve.core.generate.Decoding;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.Sampler;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.RandomWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.Ballot;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import org.dcpserve.core.schedule.PickThreads;
import org.dcpserve.core.schedule.SequenceTask;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * Engine-level decode throughput over a grid of context x batch x policy, on random models of real shapes.
 *
 * <p>One cell: {@code batch} sequences sit at position {@code context - steps - warmup} (their caches filled
 * by {@link SyntheticContext} with copies of a real 128-token prefill's entries), then {@code warmup + steps}
 * batched decode steps run through {@link BatchStep}, the step the scheduler runs; the measured steps end at
 * {@code context}. A pruned cell's caches hold {@code (1 - sparsity)} of the context: the window keeps the
 * last positions; the DCP gate keeps spread positions and its bias is calibrated per layer (from the real
 * prefill's interaction scores) so that it drops, per step, about as many tokens as it adds, keeping that
 * size steady while it is measured. Every cell reports what its caches really held.
 */
final class DecodeGrid implements AutoCloseable {

    /** Interaction rank of the random gates (the paper's r). */
    public static final int GATE_RANK = 64;
    static final int POOL_TOKENS = 128;

    private final String shape;
    private final ModelConfig config;
    private final OnnxTransformer model;
    private final Sequence pool;
    /** Per layer, the pool's interaction scores {@code <q_int[m], k_int[j]> / sqrt(r)} over pairs j < m, sorted. */
    private final float[][] scores;
    private final SplittableRandom random = new SplittableRandom(7);
    private final MonolithicDecode whole;
    /** Bytes of weights one decode token reads ({@link #bytesReadPerToken}), or -1 for a model read from a path. */
    private final long weightBytesPerToken;
    /** Where each cell's step time per kind of graph call goes, or null for no profile. */
    private Path profileCsv;
    /** The step's token picks side by side, as the step scheduler runs them. */
    private final PickThreads picks = PickThreads.perCore();
    /** When not null, every sequence of a cell samples its next token from its logits as a served request does. */
    private TextGenerator sampling;
    private SamplingParams samplingParams;

    /**
     * @param gated whether the model has DCP gates (for dcp cells); dense and window cells use a model
     *              without them, so they pay nothing for the gate projections
     */
    public DecodeGrid(String shape, boolean gated, int threads) {
        this(shape, gated, threads, false);
    }

    /** @param monolithic also build the dense model as one graph ({@link #monolithic}); only without gates */
    public DecodeGrid(String shape, boolean gated, int threads, boolean monolithic) {
        this(shape, gated, threads, monolithic, 0);
    }

    /** @param logitStd see {@link #DecodeGrid(String, boolean, RuntimeOptions, boolean, double)} */
    public DecodeGrid(String shape, boolean gated, int threads, boolean monolithic, double logitStd) {
        this(shape, gated, threads > 0 ? new RuntimeOptions(org.dcpserve.core.engine.ExecutionProvider.CPU, threads)
                : RuntimeOptions.allCores(org.dcpserve.core.engine.ExecutionProvider.CPU), monolithic, logitStd);
    }

    /**
     * @param runtime  how ONNX Runtime runs the engine's graphs (the monolithic graph takes its threads)
     * @param logitStd for a random shape, the standard deviation its logits are scaled to ({@link LogitScale}), or 0
     *                 for the weights as drawn, whose logits have a standard deviation of about 1: rows nearly flat
     *                 over the vocabulary, unlike any trained model's
     */
    public DecodeGrid(String shape, boolean gated, RuntimeOptions runtime, boolean monolithic, double logitStd) {
        long t0 = System.nanoTime();
        org.dcpserve.core.model.ModelWeights weights = null;
        GraphSet graphs;
        java.nio.file.Path path = java.nio.file.Path.of(shape);
        if (java.nio.file.Files.exists(path)) {
            // A real model (package, llama2.c checkpoint, GPT-2 directory), e.g. stories260K.
            org.dcpserve.core.load.ModelSource source;
            try {
                source = org.dcpserve.core.load.ModelLoader.load(path);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (gated && !source.config().hasDcpGates()) {
                throw new IllegalArgumentException(shape + " has no DCP gates: no dcp cells");
            }
            if (monolithic) {
                throw new IllegalArgumentException("--monolithic needs a random shape");
            }
            this.shape = source.name();
            this.config = source.config();
            graphs = source.graphs();
        } else {
            this.shape = shape;
            ModelConfig base = shape(shape);
            this.config = gated ? base.withDcp(new ModelConfig.DcpSpec(GATE_RANK, new float[base.layers()])) : base;
            weights = RandomWeights.of(config, 1234, true);
            if (logitStd > 0) {
                LogitScale.scaleTo(logitStd, weights);
            }
            graphs = GraphSet.build(config, weights);
        }
        this.weightBytesPerToken = weights == null ? -1 : bytesReadPerToken(config, weights);
        long t1 = System.nanoTime();
        long t2 = System.nanoTime();
        this.model = new OnnxTransformer(config, graphs, runtime);
        try {
            this.whole = monolithic && !gated ? new MonolithicDecode(config, weights, runtime.intraOpThreads()) : null;
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("the monolithic graph did not load: " + e.getMessage(), e);
        }
        weights = null;
        ScoreRecorder recorder = gated ? new ScoreRecorder(config.layers()) : null;
        this.pool = new Sequence(model, gated ? recorder : DensePolicy.INSTANCE);
        pool.forward(randomTokens(POOL_TOKENS));
        this.scores = gated ? recorder.sorted() : null;
        System.err.printf("%s%s: weights and graphs %.1f s, sessions and a %d-token prefill %.1f s, peak RSS %s%n",
                this.shape, gated ? " with gates" : "", (t1 - t0) / 1e9, POOL_TOKENS, (System.nanoTime() - t2) / 1e9,
                peakRss());
    }

    /** The process's peak resident set so far (Linux's VmHWM), or "unknown" where /proc has none. */
    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("VmHWM:"))
                    .map(line -> line.substring("VmHWM:".length()).trim()).findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /**
     * The shapes of the issues: GPT-2 small as published, a Llama of the same size with a 2048 context, and two
     * Hugging Face Llama-family models people deploy (Qwen2.5-0.5B, Llama-3.2-1B), float32.
     */
    public static ModelConfig shape(String name) {
        return switch (name) {
            case "gpt2-small" -> new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 12, 768, 12, 12, 3072,
                    50257, 1024, 1e-5f, 0f, new ModelConfig.TokenizerSpec("gpt2", null, 50256), null, null);
            // llama2.c's shape for dim 768, 12 layers, 12 heads: hidden 2048, vocab 32000; context 2048.
            case "llama-2048" -> new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 12, 768, 12, 12, 2048,
                    32000, 2048, 1e-5f, 10000f, new ModelConfig.TokenizerSpec("llama2c", 1, 2), null, null);
            // Qwen2.5-0.5B's config.json: tied head, q/k/v biases, rope theta 1e6; its 32k context capped at 4096
            // as dcp.max-context would cap it, so the pools reserve what the grid's contexts need.
            case "qwen2.5-0.5b" -> new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 24, 896, 14, 2, 64,
                    4864, 151_936, 4096, 1e-6f, 1_000_000f, ModelConfig.RopeLayout.HALVES, null, true, false,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.HUGGING_FACE, null, 151_643), null, null);
            // Llama-3.2-1B's config.json: tied head, llama3 rope scaling, theta 5e5; context capped at 4096 too.
            case "llama3.2-1b" -> new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 16, 2048, 32, 8, 64,
                    8192, 128_256, 4096, 1e-5f, 500_000f, ModelConfig.RopeLayout.HALVES,
                    new ModelConfig.RopeScaling(ModelConfig.RopeScaling.LLAMA3, 32, 1.0, 4.0, 8192), false, false,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.HUGGING_FACE, 128_000, 128_001), null, null);
            // For trying the command quickly.
            case "tiny" -> new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 64, 4, 4, 256,
                    1000, 512, 1e-5f, 0f, new ModelConfig.TokenizerSpec("gpt2", null, 999), null, null);
            default -> throw new IllegalArgumentException("unknown shape '" + name
                    + "': gpt2-small, llama-2048, qwen2.5-0.5b, llama3.2-1b, tiny, or the path of a model");
        };
    }

    public ModelConfig config() {
        return config;
    }

    /** Bytes of weights one decode token reads; only for the random shapes, whose weights the grid made. */
    public long weightBytesPerToken() {
        if (weightBytesPerToken < 0) {
            throw new IllegalStateException(shape + " was loaded from a path: its weight bytes are not counted");
        }
        return weightBytesPerToken;
    }

    /**
     * What a decode step of one token reads of the weights: every tensor once (the LM head too, a tied one as
     * its own [d, vocab] copy, as the head graph holds it), but of the embedding tables only the token's row.
     */
    static long bytesReadPerToken(ModelConfig config, ModelWeights weights) {
        long floats = 0;
        for (Map.Entry<String, FloatTensor> tensor : weights.asMap().entrySet()) {
            boolean table = tensor.getKey().equals(ModelWeights.TOK_EMBEDDINGS)
                    || tensor.getKey().equals(ModelWeights.POS_EMBEDDINGS);
            floats += table ? config.dModel() : tensor.getValue().data().length;
        }
        return Float.BYTES * floats;
    }

    /**
     * Print, per cell, the measured steps' time per kind of graph call to stderr and append it to {@code csv}
     * (null: no profile).
     */
    public void profile(Path csv) {
        this.profileCsv = csv;
    }

    /**
     * From now on every sequence of a cell picks its next token from its logits through a {@link Decoding}, as
     * the step scheduler's tasks do (sampling, log-probability, streamed text), and feeds it: the Java a served
     * step spends per token, which the profile counts as sampling. Without this the cells feed random
     * tokens and sample nothing.
     */
    public void sampleWith(Tokenizer tokenizer, SamplingParams params) {
        this.sampling = new TextGenerator(model, tokenizer);
        this.samplingParams = params;
    }

    /** One measured cell. */
    public record Cell(String shape, int context, int batch, String policy, double targetSparsity,
                       double keptFraction, double tokensPerSecond, double stepP50Ms, double stepP99Ms,
                       long kvBytes, long denseKvBytes, int steps) {
    }

    /**
     * Runs one cell. {@code policy} is dense, window or dcp; {@code sparsity} is ignored for dense.
     */
    public Cell run(int context, int batch, String policy, double sparsity, int warmup, int steps) {
        int start = context - warmup - steps;
        if (start < POOL_TOKENS / 2 || context > config.contextLength()) {
            throw new IllegalArgumentException("context " + context + " does not fit " + shape);
        }
        int kept = policy.equals("dense") ? start : Math.max(1, (int) Math.round((1 - sparsity) * start));
        PruningPolicy pruning = switch (policy) {
            case "dense" -> DensePolicy.INSTANCE;
            case "window" -> new SlidingWindowPolicy(kept);
            case "dcp" -> new DcpGatePolicy(new ModelConfig.DcpSpec(GATE_RANK, calibratedBeta(kept, start)));
            default -> throw new IllegalArgumentException("policy must be dense, window or dcp: " + policy);
        };
        if (policy.equals("dcp") && !config.hasDcpGates() || policy.equals("window") && config.hasDcpGates()) {
            throw new IllegalArgumentException("policy " + policy + " on a " + (config.hasDcpGates() ? "gated" : "dense")
                    + " grid model");
        }
        // Dense on the gated model (the side-by-side partner of its dcp cells) also computes the gates' projections.
        String label = policy.equals("dense") && config.hasDcpGates() ? "dense-gated" : policy;
        BatchStep step = new BatchStep(model);
        List<Sequence> sequences = new ArrayList<>(batch);
        List<Decoding> decodings = new ArrayList<>(batch);
        int[] next = new int[batch];
        for (int i = 0; i < batch; i++) {
            Sequence sequence = step.newSequence(pruning);
            SyntheticContext.fill(sequence, pool, start, kept, policy.equals("window"), warmup + steps + 1, random);
            sequences.add(sequence);
            if (sampling != null) {
                decodings.add(sampling.decoding(new GenerationRequest("Once upon a time", warmup + steps,
                        seeded(samplingParams, i), List.of(), null), pruning, TokenListener.NONE));
            }
            next[i] = random.nextInt(config.vocabSize());
        }
        long[] nanos = new long[steps];
        long sampleNanos = 0;
        List<float[]> lastRows = List.of();
        for (int s = 0; s < warmup + steps; s++) {
            List<BatchStep.Feed> feeds = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                feeds.add(new BatchStep.Feed(sequences.get(i), new int[] {next[i]}, BatchStep.Logits.LAST));
            }
            if (s == warmup) {
                model.resetCallTimes();
                sampleNanos = 0;
            }
            long t0 = System.nanoTime();
            List<float[]> logits = step.run(feeds);
            long t1 = System.nanoTime();
            if (sampling != null) {
                picks.forEach(batch, i -> next[i] = decodings.get(i).next(logits.get(i)));
            }
            for (int i = 0; i < batch; i++) {
                // A random model may pick an end token; the cell goes on with a random one.
                next[i] = sampling == null || next[i] == SequenceTask.END ? random.nextInt(config.vocabSize()) : next[i];
            }
            long t = System.nanoTime() - t0;
            sampleNanos += System.nanoTime() - t1;
            lastRows = logits;
            if (s >= warmup) {
                nanos[s - warmup] = t;
            }
        }
        long total = Arrays.stream(nanos).sum();
        double keptFraction = keptFraction(sequences, context);
        if (profileCsv != null && sampling != null) {
            System.err.println("the last step's logit rows: " + LogitScale.Rows.of(lastRows, samplingParams));
        }
        if (profileCsv != null) {
            recordProfile(String.format(java.util.Locale.ROOT, "%s,%d,%d,%s,%.2f,%.4f", shape, context, batch, label,
                    policy.equals("dense") ? 0 : sparsity, keptFraction), model.callTimes(), total, sampleNanos, steps);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long held = sequences.stream().mapToLong(Sequence::heldBytes).sum();
        long denseBytes = (long) batch * context * Sequence.bytesPerToken(config, DensePolicy.INSTANCE);
        return new Cell(shape, context, batch, label, policy.equals("dense") ? 0 : sparsity, keptFraction,
                batch * steps * 1e9 / total, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                held, denseBytes, steps);
    }

    /** {@code params} with its own seed for sequence {@code i}, so the sequences draw differently. */
    private static SamplingParams seeded(SamplingParams params, int i) {
        return new SamplingParams(params.temperature(), params.topK(), params.topP(), params.seed() + i,
                params.repetitionPenalty(), params.frequencyPenalty(), params.presencePenalty(), params.typicalP());
    }

    /** The share of the context the sequences' caches hold, over all layers. */
    private double keptFraction(List<Sequence> sequences, int context) {
        long live = 0;
        for (Sequence sequence : sequences) {
            for (int layer = 0; layer < config.layers(); layer++) {
                live += sequence.cache(layer).liveCount();
            }
        }
        return (double) live / ((long) sequences.size() * config.layers() * context);
    }

    /**
     * The same dense decode steps as {@link #run} with policy dense, through the monolithic graph (KV cache in
     * and out as tensors) instead of the per-layer split; the cell's policy is "monolithic".
     */
    public Cell monolithic(int context, int batch, int warmup, int steps) {
        if (whole == null) {
            throw new IllegalStateException("this grid was built without the monolithic graph");
        }
        int start = context - warmup - steps;
        long[] nanos;
        try {
            nanos = whole.run(batch, start, warmup, steps, random);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("the monolithic graph failed: " + e.getMessage(), e);
        }
        long total = Arrays.stream(nanos).sum();
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long denseBytes = (long) batch * context * Sequence.bytesPerToken(config, DensePolicy.INSTANCE);
        return new Cell(shape, context, batch, "monolithic", 0, 1, batch * steps * 1e9 / total,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, denseBytes, denseBytes, steps);
    }

    /**
     * One sequence's decode: tokens per second over all its steps, and from its fastest step alone (the like of
     * a bandwidth probe's best pass, on a host whose load from other jobs changes within seconds).
     */
    public record SingleStream(double tokensPerSecond, double bestTokensPerSecond) {
    }

    /**
     * One sequence generating {@code tokens} tokens densely from a one-token prompt, greedy: tokens per second
     * after the first token, as llama2.c's run.c reports it.
     */
    public SingleStream singleStream(int tokens) {
        Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
        float[] logits = sequence.forward(1);
        model.resetCallTimes();
        long start = System.nanoTime();
        long fastest = Long.MAX_VALUE;
        for (int i = 1; i < tokens; i++) {
            long t0 = System.nanoTime();
            logits = sequence.forward(Sampler.argmax(logits));
            fastest = Math.min(fastest, System.nanoTime() - t0);
        }
        long total = System.nanoTime() - start;
        if (profileCsv != null) {
            recordProfile(shape + "," + tokens + ",1,single,0,1", model.callTimes(), total, 0, tokens - 1);
        }
        return new SingleStream((tokens - 1) * 1e9 / total, 1e9 / fastest);
    }

    /**
     * Per-layer bias so that one vote keeps a token with probability p, where p is chosen so that a cache
     * pruned at that rate from empty holds {@code kept} tokens after {@code length}: {@code (1 - p^L) / (1 - p)}
     * = kept. Then each step drops about one token while one is added.
     */
    float[] calibratedBeta(int kept, int length) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 100; i++) {
            double p = (lo + hi) / 2;
            double expected = p >= 1 ? length : (1 - Math.pow(p, length)) / (1 - p);
            if (expected < kept) {
                lo = p;
            } else {
                hi = p;
            }
        }
        double dropProbability = 1 - (lo + hi) / 2;
        float[] beta = new float[config.layers()];
        for (int layer = 0; layer < beta.length; layer++) {
            float[] s = scores[layer];
            int index = (int) Math.min(s.length - 1, Math.max(0, Math.round(dropProbability * s.length)));
            // Keep iff score + beta > 0: the lowest dropProbability share of scores is dropped.
            beta[layer] = -s[index];
        }
        return beta;
    }

    /**
     * Per step: milliseconds per kind of call (of which inside OrtSession.run), calls, and the rest (Java, of
     * which sampling), to stderr and as a row of the profile CSV after the cell's {@code key} columns.
     */
    private void recordProfile(String key, OnnxTransformer.CallTimes times, long total, long sampleNanos, int steps) {
        StringBuilder line = new StringBuilder(key).append(String.format(java.util.Locale.ROOT, ": step %.2f ms =",
                total / 1e6 / steps));
        StringBuilder row = new StringBuilder(key).append(String.format(java.util.Locale.ROOT, ",%d,%.3f", steps,
                total / 1e6 / steps));
        long calls = 0;
        for (OnnxTransformer.Call call : OnnxTransformer.Call.values()) {
            int i = call.ordinal();
            calls += times.nanos()[i];
            line.append(String.format(java.util.Locale.ROOT, " %s %.2f (run %.2f, %d calls)", call.name().toLowerCase(),
                    times.nanos()[i] / 1e6 / steps, times.runNanos()[i] / 1e6 / steps, times.counts()[i] / steps));
            row.append(String.format(java.util.Locale.ROOT, ",%.3f", times.nanos()[i] / 1e6 / steps));
        }
        double javaMs = (total - calls) / 1e6 / steps;
        line.append(String.format(java.util.Locale.ROOT, " java %.2f (sampling %.2f)", javaMs, sampleNanos / 1e6 / steps));
        row.append(String.format(java.util.Locale.ROOT, ",%.3f,%.3f%n", javaMs, sampleNanos / 1e6 / steps));
        System.err.println(line);
        try {
            if (!Files.exists(profileCsv)) {
                Files.writeString(profileCsv, PROFILE_HEADER);
            }
            Files.writeString(profileCsv, row, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + profileCsv, e);
        }
    }

    /** Columns of the profile CSV: the cell, then milliseconds per step. java is what the graph calls leave. */
    static final String PROFILE_HEADER = "shape,context,batch,policy,target_sparsity,kept_fraction,steps,step_ms,"
            + "embed_ms,project_ms,attend_ms,output_ms,head_ms,java_ms,of_which_sampling_ms\n";

    private static double percentile(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private int[] randomTokens(int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        return tokens;
    }

    @Override
    public void close() {
        picks.close();
        model.close();
        if (whole != null) {
            try {
                whole.close();
            } catch (ai.onnxruntime.OrtException ignored) {
                // best effort
            }
        }
    }

    /** Keeps every token and records every interaction score it sees, per layer. */
    private static final class ScoreRecorder implements PruningPolicy {

        private final List<List<Float>> scores = new ArrayList<>();

        ScoreRecorder(int layers) {
            for (int i = 0; i < layers; i++) {
                scores.add(new ArrayList<>());
            }
        }

        @Override
        public String name() {
            return "calibration";
        }

        @Override
        public boolean usesInteractionKeys() {
            return true;
        }

        @Override
        public void vote(Ballot ballot, boolean[] keep) {
            float scale = (float) (1.0 / Math.sqrt(GATE_RANK));
            for (int i = 0; i < ballot.count(); i++) {
                scores.get(ballot.layer()).add(
                        ballot.cache().interactionDot(ballot.candidateSlot(i), ballot.queries(), ballot.queryOffset()) * scale);
                keep[i] = true;
            }
        }

        float[][] sorted() {
            float[][] out = new float[scores.size()][];
            for (int layer = 0; layer < out.length; layer++) {
                List<Float> list = scores.get(layer);
                out[layer] = new float[list.size()];
                for (int i = 0; i < list.size(); i++) {
                    out[layer][i] = list.get(i);
                }
                Arrays.sort(out[layer]);
            }
            return out;
        }
    }
}
