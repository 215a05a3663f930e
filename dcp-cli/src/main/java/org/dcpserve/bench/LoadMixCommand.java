package org.dcpserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RuntimeOptions;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.RandomWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.schedule.SchedulerLimits;
import org.dcpserve.core.schedule.SequenceHandle;
import org.dcpserve.core.schedule.SequenceTask;
import org.dcpserve.core.schedule.StepScheduler;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Mixed load at one KV budget, dense model against the same model with calibrated random DCP gates. All
 * requests are submitted at once to a {@link StepScheduler}; prompt lengths are log-uniform in
 * [16, 1500] and output lengths uniform in [32, 512] (a prompt is cut so that both fit the context), a
 * share of the requests asks for no pruning, and tokens are drawn at random (the model's choice does not
 * matter for memory or speed). The gates are calibrated (as in bench-grid, from one keep probability per
 * vote) so that the pruned requests' mean sparsity (masked share of causal pairs) is about
 * {@code --sparsity}; the sparsity reached is measured and reported. Writes load-mix.csv (one row per model) and, per model, the
 * running sequences and allocated and held bytes every 100 ms (timeline-*.csv, load-mix.png).
 */
@Command(name = "load-mix", mixinStandardHelpOptions = true,
        description = "Mixed prompt/output lengths at one KV budget: dense vs DCP model (random, calibrated"
                + " gates): concurrency, tokens/s, latency, preemptions, allocated vs held bytes over time.")
public final class LoadMixCommand implements Callable<Integer> {

    static final int MIN_PROMPT = 16;
    static final int MAX_PROMPT = 1500;
    static final int MIN_OUTPUT = 32;
    static final int MAX_OUTPUT = 512;

    @Option(names = "--shape", description = "tiny, gpt2-small, qwen2.5-0.5b (default: ${DEFAULT-VALUE})")
    String shape = "gpt2-small";

    @Option(names = "--requests", description = "requests (default: ${DEFAULT-VALUE})")
    int requests = 24;

    @Option(names = "--kv-budget-mb", description = "KV budget in MiB, both models (default: ${DEFAULT-VALUE})")
    long budgetMiB = 128;

    @Option(names = "--max-batch", description = "most sequences in a step (default: ${DEFAULT-VALUE})")
    int maxBatch = 64;

    @Option(names = "--unpruned-share", description = "share of requests with pruning: false (default: ${DEFAULT-VALUE})")
    double unprunedShare = 0.1;

    @Option(names = "--sparsity", description = "target sparsity of the gates at the mean length (default: ${DEFAULT-VALUE})")
    double sparsity = 0.8;

    @Option(names = "--threads", description = "intra-op threads (default: 0, every core)")
    int threads = 0;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out = Path.of("build/load-mix");

    /** One request of the mix. */
    record Request(int prompt, int output, boolean pruning) {
    }

    /**
     * One model's run; the second ratio counts only samples where the caches held at least a tenth of the
     * budget (the first few tokens of the first sequences are mostly rounding to a grain of 16 slots).
     */
    record Result(String model, int maxRunning, double tokensPerSecond, double p50Seconds, double p99Seconds,
                  long preemptions, double maxAllocatedOverHeld, double maxAllocatedOverHeldLoaded,
                  double meanSparsity, double seconds,
                  List<double[]> timeline) {
    }

    /** A finished request: its sparsity (0 unpruned) and whether it was pruned. */
    record Outcome(double sparsity, boolean pruned) {
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        ModelConfig base = DecodeGrid.shape(shape);
        List<Request> mix = mix(base.contextLength());
        int mean = (int) Math.round(mix.stream().mapToInt(r -> r.prompt() + r.output()).average().orElseThrow());
        double p = keepProbability(mix);
        float[] beta;
        try (DecodeGrid grid = new DecodeGrid(shape, true, threads)) {
            // The (kept, length) pair calibratedBeta solves back to p: a cache pruned at p from empty holds
            // `kept` tokens after `mean`.
            beta = grid.calibratedBeta((int) Math.round((1 - Math.pow(p, mean)) / (1 - p)), mean);
        }
        System.gc();
        Result dense = run("dense", base, mix, null);
        System.gc();
        ModelConfig gated = base.withDcp(new ModelConfig.DcpSpec(DecodeGrid.GATE_RANK, new float[base.layers()]));
        Result dcp = run("dcp", gated, mix, new DcpGatePolicy(new ModelConfig.DcpSpec(DecodeGrid.GATE_RANK, beta)));
        StringBuilder csv = new StringBuilder("shape,model,requests,kv_budget_bytes,max_running,tokens_per_s,"
                + "latency_p50_s,latency_p99_s,preemptions,max_allocated_over_held,"
                + "max_allocated_over_held_above_tenth_of_budget,mean_sparsity_pruned,seconds\n");
        for (Result r : List.of(dense, dcp)) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.1f,%.1f,%.1f,%d,%.3f,%.3f,%.3f,%.1f%n", shape,
                    r.model(), requests, budgetMiB << 20, r.maxRunning(), r.tokensPerSecond(), r.p50Seconds(),
                    r.p99Seconds(), r.preemptions(), r.maxAllocatedOverHeld(), r.maxAllocatedOverHeldLoaded(),
                    r.meanSparsity(), r.seconds()));
            StringBuilder timeline = new StringBuilder("seconds,running,allocated_bytes,held_bytes\n");
            for (double[] t : r.timeline()) {
                timeline.append(String.format(Locale.ROOT, "%.2f,%.0f,%.0f,%.0f%n", t[0], t[1], t[2], t[3]));
            }
            Files.writeString(out.resolve("timeline-" + shape + "-" + r.model() + ".csv"), timeline);
        }
        Files.writeString(out.resolve("load-mix-" + shape + ".csv"), csv);
        System.out.print(csv);
        plot(List.of(dense, dcp));
        return 0;
    }

    /** Prompt lengths log-uniform in [16, 1500], outputs uniform in [32, 512], the prompt cut to the context. */
    private List<Request> mix(int context) {
        SplittableRandom random = new SplittableRandom(42);
        List<Request> mix = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            // A context shorter than the longest output (tiny's 512) keeps room for the shortest prompt.
            int output = Math.min(MIN_OUTPUT + random.nextInt(MAX_OUTPUT - MIN_OUTPUT + 1), context - MIN_PROMPT);
            int prompt = (int) Math.round(Math.exp(Math.log(MIN_PROMPT)
                    + random.nextDouble() * (Math.log(MAX_PROMPT) - Math.log(MIN_PROMPT))));
            mix.add(new Request(Math.min(prompt, context - output), output, random.nextDouble() >= unprunedShare));
        }
        return mix;
    }

    /**
     * The keep probability per vote at which the pruned requests' mean sparsity is {@code --sparsity}:
     * with every vote keeping a token with probability p, the query at position m sees
     * (1 - p^m) / (1 - p) of its m causal tokens, so a sequence of L tokens sees
     * (L - p (1 - p^L) / (1 - p)) / (1 - p) of its L (L + 1) / 2 pairs.
     */
    private double keepProbability(List<Request> mix) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 60; i++) {
            double p = (lo + hi) / 2;
            double total = 0;
            int pruned = 0;
            for (Request request : mix) {
                if (request.pruning()) {
                    long length = request.prompt() + request.output();
                    double seen = (length - p * (1 - Math.pow(p, length)) / (1 - p)) / (1 - p);
                    total += 1 - seen / (length * (length + 1) / 2.0);
                    pruned++;
                }
            }
            if (total / pruned > sparsity) {
                lo = p;
            } else {
                hi = p;
            }
        }
        return (lo + hi) / 2;
    }

    private Result run(String name, ModelConfig config, List<Request> mix, PruningPolicy gate) throws Exception {
        RuntimeOptions runtime = threads > 0 ? new RuntimeOptions(ExecutionProvider.CPU, threads)
                : RuntimeOptions.allCores(ExecutionProvider.CPU);
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config,
                RandomWeights.of(config, 1234, true)), runtime);
             StepScheduler scheduler = new StepScheduler(model,
                     new SchedulerLimits(maxBatch, mix.size(), budgetMiB << 20, 256))) {
            List<double[]> timeline = new ArrayList<>();
            long start = System.nanoTime();
            double[] latencies = new double[mix.size()];
            Outcome[] outcomes = new Outcome[mix.size()];
            List<SequenceHandle<Outcome>> handles = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(9);
            for (int i = 0; i < mix.size(); i++) {
                Request request = mix.get(i);
                PruningPolicy policy = gate != null && request.pruning() ? gate : DensePolicy.INSTANCE;
                int index = i;
                SequenceHandle<Outcome> handle = scheduler.submit(new RandomTokens(request, policy, config,
                        random.split()));
                handle.result().thenAccept(outcome -> {
                    latencies[index] = (System.nanoTime() - start) / 1e9;
                    outcomes[index] = outcome;
                });
                handles.add(handle);
            }
            int maxRunning = 0;
            double maxRatio = 0;
            double maxLoadedRatio = 0;
            while (!handles.stream().allMatch(h -> h.result().isDone())) {
                TimeUnit.MILLISECONDS.sleep(100);
                long allocated = scheduler.allocatedKvBytes();
                long held = scheduler.heldKvBytes();
                int running = scheduler.running();
                timeline.add(new double[] {(System.nanoTime() - start) / 1e9, running, allocated, held});
                maxRunning = Math.max(maxRunning, running);
                if (held > 0) {
                    maxRatio = Math.max(maxRatio, (double) allocated / held);
                }
                if (held >= (budgetMiB << 20) / 10) {
                    maxLoadedRatio = Math.max(maxLoadedRatio, (double) allocated / held);
                }
            }
            for (SequenceHandle<Outcome> handle : handles) {
                handle.result().get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] sorted = latencies.clone();
            Arrays.sort(sorted);
            Result result = new Result(name, maxRunning, scheduler.generatedTokens() / seconds, percentile(sorted, 0.5),
                    percentile(sorted, 0.99), scheduler.preemptions(), maxRatio, maxLoadedRatio,
                    Arrays.stream(outcomes).filter(Outcome::pruned).mapToDouble(Outcome::sparsity).average().orElse(0),
                    seconds, timeline);
            System.err.printf(Locale.ROOT, "%s %s: %s%n", shape, name, result.toString().replaceAll(", timeline=.*", ""));
            return result;
        }
    }

    private static double percentile(double[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Two charts: allocated and held MiB over time, and running sequences over time, both models. */
    private void plot(List<Result> results) throws IOException {
        XYChart bytes = new XYChartBuilder().width(640).height(400).title(shape + ": KV MiB, budget " + budgetMiB)
                .xAxisTitle("seconds").yAxisTitle("MiB").build();
        XYChart running = new XYChartBuilder().width(640).height(400).title(shape + ": running sequences")
                .xAxisTitle("seconds").yAxisTitle("sequences").build();
        for (Result r : results) {
            double[] t = r.timeline().stream().mapToDouble(s -> s[0]).toArray();
            if (t.length == 0) {
                continue;
            }
            bytes.addSeries(r.model() + " allocated", t, r.timeline().stream().mapToDouble(s -> s[2] / (1 << 20)).toArray());
            bytes.addSeries(r.model() + " held", t, r.timeline().stream().mapToDouble(s -> s[3] / (1 << 20)).toArray());
            running.addSeries(r.model(), t, r.timeline().stream().mapToDouble(s -> s[1]).toArray());
        }
        BitmapEncoder.saveBitmap(List.of(bytes, running), 1, 2, out.resolve("load-mix-" + shape + ".png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }

    /** Feeds random tokens until the request's output length; its outcome is the sparsity it reached. */
    private static final class RandomTokens implements SequenceTask<Outcome> {

        private final Request request;
        private final PruningPolicy policy;
        private final ModelConfig config;
        private final SplittableRandom random;
        private int generated;

        RandomTokens(Request request, PruningPolicy policy, ModelConfig config, SplittableRandom random) {
            this.request = request;
            this.policy = policy;
            this.config = config;
            this.random = random;
        }

        @Override
        public PruningPolicy policy() {
            return policy;
        }

        @Override
        public int[] prompt() {
            return random.ints(request.prompt(), 0, config.vocabSize()).toArray();
        }

        @Override
        public int maxLength() {
            return request.prompt() + request.output();
        }

        @Override
        public int next(float[] logits) {
            return ++generated < request.output() ? random.nextInt(config.vocabSize()) : END;
        }

        @Override
        public Outcome result(Sequence sequence) {
            return new Outcome(sequence.report().sparsity(), policy != DensePolicy.INSTANCE);
        }
    }
}
