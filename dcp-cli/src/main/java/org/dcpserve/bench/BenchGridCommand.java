package org.dcpserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The engine-level benchmark grid of issue 8: context x batch x policy on random models of real shapes. */
@Command(name = "bench-grid", mixinStandardHelpOptions = true,
        description = "Batched decode throughput over context x batch x policy (dense, dcp, window) on random"
                + " GPT-2-small, Llama-2048, Qwen2.5-0.5B and Llama-3.2-1B shapes; writes grid.csv, grid.md and one PNG per shape.")
public final class BenchGridCommand implements Callable<Integer> {

    /** A logit standard deviation whose rows have a trained LM's entropy at a 152k vocabulary ({@link LogitScale}). */
    static final double TRAINED_LOGIT_STD = 5.0;

    @Option(names = "--shapes", split = ",", description = "gpt2-small, llama-2048, qwen2.5-0.5b, llama3.2-1b, tiny, or a model's path"
            + " (default: ${DEFAULT-VALUE})")
    List<String> shapes = List.of("gpt2-small", "llama-2048");

    @Option(names = "--contexts", split = ",", description = "contexts the measured steps end at (default: ${DEFAULT-VALUE});"
            + " those past a shape's context length are skipped")
    List<Integer> contexts = List.of(256, 512, 1024, 2048);

    @Option(names = "--batches", split = ",", description = "batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches = List.of(1, 4, 16, 32);

    @Option(names = "--policies", split = ",", description = "dense, dcp, window (default: ${DEFAULT-VALUE})")
    List<String> policies = List.of("dense", "dcp", "window");

    @Option(names = "--sparsities", split = ",", description = "target sparsities of dcp and window (default: ${DEFAULT-VALUE})")
    List<Double> sparsities = List.of(0.5, 0.8, 0.9);

    @Option(names = "--steps", description = "measured decode steps per cell (default: ${DEFAULT-VALUE})")
    int steps = 8;

    @Option(names = "--warmup", description = "decode steps per cell before measuring (default: ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--single", split = ",", description = "also: one dense sequence generating N tokens from one"
            + " prompt token, for each N (llama2.c's run.c measure), on every shape; e.g. 256,1000")
    List<Integer> single = List.of();

    @Option(names = "--bandwidth-probe", description = "with --single: an executable printing the read bandwidth in"
            + " GB/s (scripts/reference/read-bandwidth.c), run before and after every single-stream round; each round"
            + " is then reported beside its bound, bandwidth / weight bytes read per token, in single-bound.csv")
    Path bandwidthProbe;

    @Option(names = "--probe-mib", description = "MiB the bandwidth probe reads per pass (default: ${DEFAULT-VALUE})")
    int probeMebibytes = 1024;

    @Option(names = "--rounds", description = "single-stream measurements per N, alternating with the probe"
            + " (default: ${DEFAULT-VALUE})")
    int rounds = 1;

    @Option(names = "--monolithic", description = "also run the dense cells through one monolithic ONNX graph of"
            + " the same model (KV cache as inputs and outputs), for the split's overhead")
    boolean monolithic;

    @Option(names = "--side-by-side", description = "run every dcp cell N times, each next to the same cell run"
            + " densely on the same gated model (policy dense-gated; before it, then after it, alternately), for a"
            + " ratio both sides of which see the same load (default: 0, dcp cells once and alone)")
    int sideBySide;

    @Option(names = "--threads", description = "intra-op threads (default: 0, every core)")
    int threads = 0;

    @Option(names = "--profile", description = "print each cell's step time per kind of graph call to stderr and"
            + " append it to profile.csv")
    boolean profile;

    @Option(names = "--tokenizer", description = "a directory with a Hugging Face tokenizer.json: every sequence then"
            + " samples its next token from its logits as a served request does (timed as the profile's sampling)")
    Path tokenizer;

    @Option(names = "--temperature", description = "with --tokenizer (default: ${DEFAULT-VALUE})")
    float temperature = 0.8f;

    @Option(names = "--top-p", description = "with --tokenizer (default: ${DEFAULT-VALUE})")
    float topP = 0.95f;

    @Option(names = "--top-k", description = "with --tokenizer; 0: none (default: ${DEFAULT-VALUE})")
    int topK = 0;

    @Option(names = "--repetition-penalty", description = "with --tokenizer (default: ${DEFAULT-VALUE})")
    float repetitionPenalty = 1f;

    @Option(names = "--logit-std", description = "scale a random shape's final-norm gains so that its logits' standard"
            + " deviation is about this, as a trained model's rows are shaped (5: a few nats of entropy at a 152k"
            + " vocabulary); 0: the weights as drawn, nearly flat rows (default: 5 with --tokenizer, else 0)")
    Double logitStd;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out = Path.of("build/bench-grid");

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        Path csv = out.resolve("grid.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "shape,context,batch,policy,target_sparsity,kept_fraction,tokens_per_s,"
                    + "step_p50_ms,step_p99_ms,kv_bytes,dense_kv_bytes,steps\n");
        }
        List<DecodeGrid.Cell> cells = new ArrayList<>();
        for (String shape : shapes) {
            boolean wantsDense = policies.contains("dense") || policies.contains("window") || !single.isEmpty();
            if (wantsDense) {
                try (DecodeGrid grid = new DecodeGrid(shape, false, threads, monolithic, logitStd())) {
                    configure(grid);
                    for (int tokens : single) {
                        for (int round = 1; round <= rounds; round++) {
                            singleRound(grid, shape, tokens, round);
                        }
                    }
                    for (String policy : List.of("dense", "window")) {
                        if (policies.contains(policy)) {
                            runCells(grid, shape, policy, cells, csv);
                        }
                    }
                }
            }
            if (policies.contains("dcp")) {
                try (DecodeGrid grid = new DecodeGrid(shape, true, threads, false, logitStd())) {
                    configure(grid);
                    runCells(grid, shape, "dcp", cells, csv);
                }
            }
            System.gc();
        }
        // The table and the charts cover every cell in grid.csv, from this run and earlier ones into --out.
        List<DecodeGrid.Cell> all = readCsv(csv);
        writeMarkdown(all);
        plot(all);
        return 0;
    }

    /**
     * One single-stream measurement, between two bandwidth probes when there is a probe. The probe reports its
     * best pass, so the round is compared with the bound twice: over all its steps, and by its fastest step.
     */
    private void singleRound(DecodeGrid grid, String shape, int tokens, int round) throws IOException {
        BandwidthProbe probe = bandwidthProbe == null ? null : new BandwidthProbe(bandwidthProbe, probeMebibytes);
        double before = probe == null ? Double.NaN : probe.gigabytesPerSecond();
        DecodeGrid.SingleStream decode = grid.singleStream(tokens);
        double rate = decode.tokensPerSecond();
        if (probe == null) {
            String line = String.format(Locale.ROOT, "%s,%d,%.1f%n", shape, tokens, rate);
            append(out.resolve("single.csv"), "shape,tokens,tokens_per_s\n", line);
            System.out.printf(Locale.ROOT, "%s one sequence, %d tokens: %.1f tokens/s%n", shape, tokens, rate);
            return;
        }
        double after = probe.gigabytesPerSecond();
        // The bound: the best bandwidth of the two probes around the round, over the bytes of weights a token reads.
        long bytes = grid.weightBytesPerToken();
        double bound = Math.max(before, after) * 1e9 / bytes;
        double best = decode.bestTokensPerSecond();
        append(out.resolve("single-bound.csv"), "shape,round,tokens,tokens_per_s,best_step_tokens_per_s,"
                        + "read_gb_per_s_before,read_gb_per_s_after,weight_bytes_per_token,bound_tokens_per_s,ratio,"
                        + "best_step_ratio\n",
                String.format(Locale.ROOT, "%s,%d,%d,%.2f,%.2f,%.1f,%.1f,%d,%.2f,%.3f,%.3f%n", shape, round, tokens, rate,
                        best, before, after, bytes, bound, rate / bound, best / bound));
        System.out.printf(Locale.ROOT, "%s one sequence, %d tokens, round %d: %.2f tokens/s (fastest step %.2f);"
                        + " read bandwidth %.1f / %.1f GB/s, %,d weight bytes per token: bound %.2f tokens/s,"
                        + " ratio %.3f (fastest step %.3f)%n",
                shape, tokens, round, rate, best, before, after, bytes, bound, rate / bound, best / bound);
    }

    private static List<DecodeGrid.Cell> readCsv(Path csv) throws IOException {
        List<DecodeGrid.Cell> cells = new ArrayList<>();
        for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            String[] f = line.split(",");
            cells.add(new DecodeGrid.Cell(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3],
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]), Double.parseDouble(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]),
                    Integer.parseInt(f[11])));
        }
        return cells;
    }

    /** Trained-like rows for the sampled cells unless asked otherwise: flat rows make sampling many times dearer. */
    private double logitStd() {
        return logitStd != null ? logitStd : tokenizer != null ? TRAINED_LOGIT_STD : 0;
    }

    private void configure(DecodeGrid grid) throws IOException {
        // The random weights and their graphs' bytes are garbage once the sessions hold the weights: several GB of
        // heap at the real shapes, given back before the cells allocate their KV pools.
        System.gc();
        grid.profile(profile ? out.resolve("profile.csv") : null);
        if (tokenizer != null) {
            grid.sampleWith(HuggingFaceTokenizer.load(tokenizer),
                    new SamplingParams(temperature, topK, topP, 1, repetitionPenalty, 0f, 0f, 1f));
        }
    }

    private void runCells(DecodeGrid grid, String shape, String policy, List<DecodeGrid.Cell> cells, Path csv)
            throws IOException {
        List<Double> levels = policy.equals("dense") ? List.of(0.0) : sparsities;
        for (int context : contexts) {
            if (context > grid.config().contextLength()) {
                continue;
            }
            for (int batch : batches) {
                for (double sparsity : levels) {
                    boolean paired = policy.equals("dcp") && sideBySide > 0;
                    for (int repeat = 0; repeat < (paired ? sideBySide : 1); repeat++) {
                        runCell(grid, context, batch, policy, sparsity, paired, repeat % 2 == 1, cells, csv);
                    }
                    if (monolithic && policy.equals("dense")) {
                        // Right after the split's cell, same shape, context and batch: the comparison point.
                        DecodeGrid.Cell whole = grid.monolithic(context, batch, warmup, steps);
                        record(csv, cells, whole);
                    }
                }
            }
        }
    }

    /**
     * One cell and, when {@code paired}, its dense partner on the same model right before it, or right after it
     * with {@code denseLast} (repeats alternate the order, so that neither side is always the first to run).
     */
    private void runCell(DecodeGrid grid, int context, int batch, String policy, double sparsity, boolean paired,
                         boolean denseLast, List<DecodeGrid.Cell> cells, Path csv) throws IOException {
        if (paired && !denseLast) {
            record(csv, cells, grid.run(context, batch, "dense", 0, warmup, steps));
        }
        record(csv, cells, grid.run(context, batch, policy, sparsity, warmup, steps));
        if (paired && denseLast) {
            record(csv, cells, grid.run(context, batch, "dense", 0, warmup, steps));
        }
    }

    private static void record(Path csv, List<DecodeGrid.Cell> cells, DecodeGrid.Cell cell) throws IOException {
        cells.add(cell);
        record(csv, cell);
        // A cell's KV pools are direct buffers (2 GB for the 1B shape at batch 16, context 2048), freed only when
        // collected: without this, the cells next to each other held them all at once.
        System.gc();
    }

    private static void record(Path csv, DecodeGrid.Cell cell) throws IOException {
        Files.writeString(csv, String.format(Locale.ROOT, "%s,%d,%d,%s,%.2f,%.4f,%.1f,%.2f,%.2f,%d,%d,%d%n",
                cell.shape(), cell.context(), cell.batch(), cell.policy(), cell.targetSparsity(),
                cell.keptFraction(), cell.tokensPerSecond(), cell.stepP50Ms(), cell.stepP99Ms(),
                cell.kvBytes(), cell.denseKvBytes(), cell.steps()), StandardOpenOption.APPEND);
        System.out.printf(Locale.ROOT, "%-10s ctx %4d batch %2d %-10s %3.0f%%: kept %5.1f%%, %8.1f tok/s,"
                        + " step p50 %7.2f ms p99 %7.2f ms, KV %,d B%n",
                cell.shape(), cell.context(), cell.batch(), cell.policy(), 100 * cell.targetSparsity(),
                100 * cell.keptFraction(), cell.tokensPerSecond(), cell.stepP50Ms(), cell.stepP99Ms(), cell.kvBytes());
    }

    private static void append(Path file, String header, String line) throws IOException {
        if (!Files.exists(file)) {
            Files.writeString(file, header);
        }
        Files.writeString(file, line, StandardOpenOption.APPEND);
    }

    private void writeMarkdown(List<DecodeGrid.Cell> cells) throws IOException {
        StringBuilder md = new StringBuilder("| shape | context | batch | policy | target sparsity | kept | tokens/s |"
                + " step p50 ms | step p99 ms | KV bytes |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (DecodeGrid.Cell c : cells) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.0f %% | %.1f %% | %.1f | %.2f | %.2f | %,d |%n",
                    c.shape(), c.context(), c.batch(), c.policy(), 100 * c.targetSparsity(), 100 * c.keptFraction(),
                    c.tokensPerSecond(), c.stepP50Ms(), c.stepP99Ms(), c.kvBytes()));
        }
        Files.writeString(out.resolve("grid.md"), md);
    }

    /** Per shape, one chart per context: tokens/s against batch, one line per policy and sparsity. */
    private void plot(List<DecodeGrid.Cell> cells) throws IOException {
        for (String shape : cells.stream().map(DecodeGrid.Cell::shape).distinct().toList()) {
            List<XYChart> charts = new ArrayList<>();
            for (int context : cells.stream().filter(c -> c.shape().equals(shape)).mapToInt(DecodeGrid.Cell::context)
                    .distinct().sorted().toArray()) {
                Map<String, List<DecodeGrid.Cell>> series = new LinkedHashMap<>();
                for (DecodeGrid.Cell c : cells) {
                    if (c.shape().equals(shape) && c.context() == context) {
                        String name = c.policy().equals("dense") ? "dense"
                                : String.format(Locale.ROOT, "%s %.0f%%", c.policy(), 100 * c.targetSparsity());
                        series.computeIfAbsent(name, k -> new ArrayList<>()).add(c);
                        series.get(name).sort(java.util.Comparator.comparingInt(DecodeGrid.Cell::batch));
                    }
                }
                if (series.isEmpty()) {
                    continue;
                }
                XYChart chart = new XYChartBuilder().width(560).height(400)
                        .title(shape + ", context " + context).xAxisTitle("batch").yAxisTitle("tokens/s").build();
                chart.getStyler().setXAxisLogarithmic(true);
                series.forEach((name, list) -> chart.addSeries(name,
                        list.stream().mapToDouble(DecodeGrid.Cell::batch).toArray(),
                        list.stream().mapToDouble(DecodeGrid.Cell::tokensPerSecond).toArray())
                        .setMarker(SeriesMarkers.CIRCLE));
                charts.add(chart);
            }
            if (!charts.isEmpty()) {
                int columns = Math.min(2, charts.size());
                int rows = (charts.size() + columns - 1) / columns;
                while (charts.size() < rows * columns) {
                    charts.add(new XYChartBuilder().width(560).height(400).build());
                }
                BitmapEncoder.saveBitmap(charts, rows, columns, out.resolve(shape + ".png").toString(),
                        BitmapEncoder.BitmapFormat.PNG);
            }
        }
    }
}
