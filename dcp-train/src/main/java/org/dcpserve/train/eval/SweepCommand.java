package org.dcpserve.train.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import org.dcpserve.train.train.TrainingOptions;
import org.dcpserve.train.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quality-versus-sparsity experiment: a dense fine-tune, a DCP fine-tune per gamma, and for each DCP
 * model the sliding-window baseline at the sparsity DCP reached (fine-tuned with that window, and applied
 * to the dense fine-tune), all evaluated on held-out text by the serving engine. Writes a markdown table,
 * a CSV and a PNG plot.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Fine-tune dense, DCP for each --gammas value and sliding-window baselines at DCP's sparsity;"
                + " evaluate all on held-out text; write sweep.md, sweep.csv, sweep.png and, per gamma, the tokens"
                + " the gates drop most (drops-gamma-G.md) into --out-dir.")
public final class SweepCommand implements Callable<Integer> {

    @Option(names = "--base", required = true, description = "model to fine-tune")
    Path base;

    @Option(names = "--data", required = true, description = "training text")
    Path data;

    @Option(names = "--heldout", required = true, description = "held-out evaluation text (never trained on)")
    Path heldout;

    @Option(names = "--out-dir", required = true, description = "where packages, logs and results go")
    Path outDir;

    @Option(names = "--gammas", split = ",", description = "sparsity weights (default: ${DEFAULT-VALUE})")
    List<Double> gammas = List.of(0.05, 0.1, 0.2, 0.4);

    @Option(names = "--steps", description = "optimizer steps per run (default: ${DEFAULT-VALUE})")
    int steps = 600;

    @Option(names = "--lr", description = "learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--warmup", description = "warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup = 50;

    @Option(names = "--lr-schedule", description = "constant or cosine (decay to lr/10) after warm-up (default: ${DEFAULT-VALUE})")
    TrainingOptions.LrSchedule lrSchedule = TrainingOptions.LrSchedule.CONSTANT;

    @Option(names = "--context", description = "training and evaluation context (default: ${DEFAULT-VALUE})")
    int context = 256;

    @Option(names = "--batch", description = "sequences per step (default: ${DEFAULT-VALUE})")
    int batch = 8;

    @Option(names = "--threads", description = "PyTorch threads (default: all processors)")
    int threads;

    @Option(names = "--seed", description = "seed of every run (default: ${DEFAULT-VALUE})")
    long seed = 1234;

    @Option(names = "--no-window-finetune", description = "skip fine-tuning a sliding-window model per gamma")
    boolean noWindowFinetune;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(outDir);
        List<SweepResult> results = new ArrayList<>();
        results.add(new Evaluation(base, heldout, context).row("pretrained, not fine-tuned", "dense",
                DensePolicy.INSTANCE, 0));
        Path dense = train("dense", TrainingOptions.Mode.DENSE, 0, 0);
        Evaluation denseEval = new Evaluation(dense, heldout, context);
        results.add(denseEval.row("dense fine-tuned", "dense", DensePolicy.INSTANCE, 0));
        for (double gamma : gammas) {
            Path dcp = train(name("dcp-gamma-%s", gamma), TrainingOptions.Mode.DCP, gamma, 0);
            Evaluation dcpEval = new Evaluation(dcp, heldout, context);
            DropCounts drops = new DropCounts(dcpEval.config().layers());
            SweepResult pruned = dcpEval.row("DCP", "dcp", new DcpGatePolicy(dcpEval.config().dcp()), gamma, drops);
            Files.writeString(outDir.resolve(name("drops-gamma-%s.md", gamma)), drops.table(dcpEval.tokenizer(), 20, 50));
            results.add(dcpEval.row("DCP model, run densely", "dense", DensePolicy.INSTANCE, gamma));
            results.add(pruned);
            recordInProvenance(dcp, pruned);
            int window = SlidingWindows.windowFor(dcpEval.lengths(), pruned.sparsity());
            results.add(denseEval.row("sliding window on dense fine-tune", "window:" + window,
                    new SlidingWindowPolicy(window), gamma));
            if (!noWindowFinetune) {
                Path windowModel = train("window-" + window, TrainingOptions.Mode.WINDOW, 0, window);
                results.add(new Evaluation(windowModel, heldout, context).row("sliding window fine-tuned",
                        "window:" + window, new SlidingWindowPolicy(window), gamma));
            }
            SweepReport.write(outDir, results);
        }
        SweepReport.write(outDir, results);
        System.out.println(Files.readString(outDir.resolve(SweepReport.TABLE)));
        return 0;
    }

    private Path train(String name, TrainingOptions.Mode mode, double gamma, int window) throws IOException {
        Path out = outDir.resolve(name);
        if (ModelPackage.isPackage(out)) {
            System.err.println("sweep: reusing " + out);
            return out;
        }
        TrainingOptions options = TrainingOptions.builder().base(base).data(data).out(out).mode(mode).gamma(gamma)
                .window(window).steps(steps).batch(batch).context(context).lr(lr).warmup(warmup).lrSchedule(lrSchedule).seed(seed)
                .threads(threads).checkpointDir(outDir.resolve(name + "-checkpoints")).resume(
                        Files.isDirectory(outDir.resolve(name + "-checkpoints"))).build().validate();
        return TrainingRun.run(options).packageDir();
    }

    private static String name(String pattern, double gamma) {
        return String.format(Locale.ROOT, pattern, Double.toString(gamma));
    }

    /** Adds the held-out result to the package's provenance, so a served model says what it was measured at. */
    private void recordInProvenance(Path packageDir, SweepResult result) throws IOException {
        ModelConfig config = ModelPackage.readConfig(packageDir);
        ModelConfig.Provenance provenance = config.provenance();
        Map<String, Object> training = new LinkedHashMap<>(provenance.training() == null ? Map.of() : provenance.training());
        training.put("heldout_data", heldout.getFileName().toString());
        training.put("heldout_perplexity", result.perplexity());
        training.put("achieved_sparsity", result.sparsity());
        ModelPackage.writeConfig(packageDir, config.withProvenance(new ModelConfig.Provenance(provenance.source(),
                provenance.importer(), provenance.createdAt(), training)));
    }

    /** A trained package loaded for evaluation on the held-out text. */
    private static final class Evaluation {
        private final ModelSource source;
        private final List<int[]> sequences;

        Evaluation(Path model, Path heldout, int context) throws IOException {
            source = ModelLoader.load(model);
            sequences = Stories.sequences(Stories.read(heldout), source.tokenizer(), source.config(),
                    Math.min(context, source.config().contextLength()), false);
        }

        ModelConfig config() {
            return source.config();
        }

        org.dcpserve.core.tokenizer.Tokenizer tokenizer() {
            return source.tokenizer();
        }

        int[] lengths() {
            return sequences.stream().mapToInt(s -> s.length).toArray();
        }

        SweepResult row(String method, String policyName, PruningPolicy policy, double gamma) {
            return row(method, policyName, policy, gamma, null);
        }

        SweepResult row(String method, String policyName, PruningPolicy policy, double gamma, DropCounts drops) {
            try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
                PerplexityEvaluator.Result result = new PerplexityEvaluator(model).evaluate(sequences, policy, drops);
                return new SweepResult(method, source.name(), gamma, policyName, result.perplexity(), result.sparsity(),
                        result.kvBytesFraction());
            }
        }
    }
}
