package org.dcpserve.train.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.train.DjlRuntime;
import org.dcpserve.train.ProgressBars;
import org.dcpserve.train.model.DcpTransformer;
import org.dcpserve.train.model.GateSetup;
import org.dcpserve.train.model.Losses;
import org.dcpserve.train.model.MaskMode;
import org.dcpserve.train.model.Ops;
import org.dcpserve.train.train.TrainingOptions.Mode;

/**
 * A fine-tuning run (method.md section 4): loss = LM cross-entropy + gamma * mean keep over causal
 * pairs, alpha on a cosine schedule from 1 to alpha_end, AdamW with linear warm-up then a constant
 * learning rate, all parameters trained, gradient accumulation and clipping, checkpoints that a
 * resumed run continues from exactly, and at the end a model package the engine serves.
 *
 * <pre>
 * TrainingResult result = TrainingRun.run(TrainingOptions.builder()
 *         .base(Path.of("../shared/models/stories260K/stories260K.bin"))
 *         .data(Path.of("../shared/corpora/tinystories/train.txt"))
 *         .out(Path.of("onnx-models/stories260K-dcp"))
 *         .gamma(0.15).steps(2000).build());
 * </pre>
 */
public final class TrainingRun {

    public static final String LOG_FILE = "train_log.csv";
    public static final String PLOT_FILE = "train_curves.png";
    public static final String IMPORTER = "dcp-train";

    private final TrainingOptions options;
    private final PrintStream err;
    private final Engine engine;
    private final BaseModel base;
    private final TokenData data;
    private final Checkpoints checkpoints;

    private TrainingRun(TrainingOptions options, PrintStream err) throws IOException {
        this.options = options.validate();
        this.err = err;
        this.engine = DjlRuntime.pytorch(options.threads());
        this.base = BaseModel.load(options.base());
        ModelConfig config = base.config();
        if (options.context() > config.contextLength()) {
            throw new IllegalArgumentException("--context " + options.context() + " exceeds the base model's context length "
                    + config.contextLength());
        }
        this.data = TokenData.load(options.data(), base.tokenizer(), config.tokenizer(), options.progress());
        if (data.size() < options.context() + 1) {
            throw new IllegalArgumentException("the training data has " + data.size() + " tokens, fewer than --context + 1 = "
                    + (options.context() + 1));
        }
        this.checkpoints = new Checkpoints(options.resolvedCheckpointDir());
    }

    /** Runs training as {@code options} say, with messages (not the progress bar) on stderr. */
    public static TrainingResult run(TrainingOptions options) throws IOException {
        return new TrainingRun(options, System.err).train();
    }

    private TrainingResult train() throws IOException {
        Path checkpointDir = checkpoints.directory();
        Path csv = checkpointDir.resolve(LOG_FILE);
        Path png = checkpointDir.resolve(PLOT_FILE);
        try (NDManager root = NDManager.newBaseManager()) {
            Start start = start(root);
            try (DcpTransformer model = start.model(); AdamW optimizer = start.optimizer();
                 TrainingLog log = TrainingLog.open(csv, start.step())) {
                long last = options.stopAt() > 0 ? options.stopAt() : options.steps();
                long tokensPerStep = (long) options.batch() * options.accumulate() * options.context();
                long began = System.nanoTime();
                TrainingLog.Row row = log.rows().isEmpty() ? null : log.rows().get(log.rows().size() - 1);
                try (ProgressBar bar = progressBar(start.step())) {
                    for (long step = start.step() + 1; step <= last; step++) {
                        row = step(model, optimizer, root, step, tokensPerStep);
                        log.append(row);
                        if (bar != null) {
                            bar.stepTo(step);
                            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f lm %.3f sparsity %.1f%% alpha %.2f %,.0f tok/s",
                                    row.loss(), row.lmLoss(), 100 * row.sparsity(), row.alpha(), row.tokensPerSecond()));
                        }
                        boolean due = options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0;
                        if (due || step == last) {
                            checkpoints.save(state(step, optimizer.stepCount()), model, optimizer);
                            log.plot(png);
                        }
                    }
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                long stepsRun = last - start.step();
                double tokensPerSecond = seconds > 0 ? stepsRun * tokensPerStep / seconds : 0;
                if (row == null) {
                    throw new IllegalStateException("no training step was run");
                }
                if (last < options.steps()) {
                    return new TrainingResult(null, null, last, row.loss(), row.lmLoss(), row.sparsity(), seconds,
                            tokensPerSecond, csv, png, checkpointDir);
                }
                ModelConfig exported = export(model, row);
                return new TrainingResult(options.out(), exported, last, row.loss(), row.lmLoss(), row.sparsity(),
                        seconds, tokensPerSecond, csv, png, checkpointDir);
            }
        }
    }

    /** The model, optimizer and step to start from: the base model, or the latest checkpoint with --resume. */
    private Start start(NDManager root) throws IOException {
        ModelConfig config = base.config();
        GateSetup gates = options.mode() == Mode.DCP
                ? new GateSetup(true, options.rankFor(config.dModel()), options.betaInit(), options.seed())
                : GateSetup.none();
        if (options.mode() == Mode.DCP && config.hasDcpGates() && options.rank() != null
                && options.rank() != config.dcp().rank()) {
            err.println("dcp-train: the base model already has gates of rank " + config.dcp().rank()
                    + "; they are fine-tuned as they are and --rank " + options.rank() + " is ignored");
        }
        AdamW optimizer = new AdamW(root, AdamW.Hyper.withWeightDecay(options.weightDecay()));
        if (!options.resume()) {
            checkpoints.latest().ifPresent(existing -> {
                throw new IllegalArgumentException("checkpoint directory " + checkpoints.directory()
                        + " already holds a checkpoint (" + existing.getFileName()
                        + "): pass --resume to continue it, or choose another --checkpoint-dir");
            });
            return new Start(DcpTransformer.create(root, config, base.weights(), gates), optimizer, 0);
        }
        Path latest = checkpoints.latest().orElseThrow(() -> new IllegalArgumentException(
                "--resume: no checkpoint in " + checkpoints.directory()));
        Checkpoints.Loaded loaded = Checkpoints.load(latest, root);
        requireSameRun(loaded.state(), latest);
        DcpTransformer model = DcpTransformer.create(root, config.withDcp(loaded.dcp()), loaded.weights(), gates);
        optimizer.restore(loaded.optimizer(), loaded.state().optimizerSteps());
        loaded.optimizer().close();
        if (options.progress()) {
            err.println("dcp-train: resuming from " + latest + " (step " + loaded.state().step() + ")");
        }
        return new Start(model, optimizer, loaded.state().step());
    }

    private record Start(DcpTransformer model, AdamW optimizer, long step) {
    }

    /** One optimizer step over {@code accumulate} micro-batches. */
    private TrainingLog.Row step(DcpTransformer model, AdamW optimizer, NDManager root, long step, long tokensPerStep) {
        long began = System.nanoTime();
        double alpha = options.mode() == Mode.DCP ? Schedules.alpha(step, options.steps(), options.alphaEnd()) : Double.NaN;
        MaskMode mask = switch (options.mode()) {
            case DCP -> MaskMode.dcp(alpha);
            case DENSE -> MaskMode.DENSE;
            case WINDOW -> MaskMode.slidingWindow(options.window());
        };
        double lr = switch (options.lrSchedule()) {
            case CONSTANT -> Schedules.learningRate(step, options.lr(), options.warmup());
            case COSINE -> Schedules.cosineLearningRate(step, options.steps(), options.lr(), options.warmup());
        };
        double loss = 0;
        double lmLoss = 0;
        double keep = 0;
        for (int micro = 0; micro < options.accumulate(); micro++) {
            TokenData.Batch batch = data.batch(options.seed(), step, micro, options.batch(), options.context());
            try (NDManager local = root.newSubManager();
                 GradientCollector collector = engine.newGradientCollector()) {
                Shape shape = new Shape(batch.rows(), batch.context());
                NDArray inputs = Ops.owned(local, batch.inputs(), shape);                   // [B, n]
                NDArray targets = Ops.owned(local, batch.targets(), shape);                 // [B, n]
                DcpTransformer.Output out = model.forward(inputs, mask);
                NDArray lm = Losses.crossEntropy(out.logits(), targets);                          // []
                NDArray total = options.mode() == Mode.DCP && options.gamma() > 0
                        ? lm.add(Ops.times(out.meanKeep(), options.gamma()))
                        : lm;
                // Dividing by the micro-batch count makes the accumulated gradient that of the mean.
                collector.backward(Ops.dividedBy(total, options.accumulate()));
                loss += total.getFloat() / options.accumulate();
                lmLoss += lm.getFloat() / options.accumulate();
                keep += out.meanKeep().getFloat() / options.accumulate();
            }
        }
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("the loss became " + loss + " at step " + step + "; try a lower --lr");
        }
        double norm = optimizer.gradientNorm(model.parameters());
        double scale = options.clip() > 0 && norm > options.clip() ? options.clip() / norm : 1.0;
        optimizer.step(model.parameters(), lr, scale);
        double seconds = (System.nanoTime() - began) / 1e9;
        return new TrainingLog.Row(step, loss, lmLoss, 1 - keep, options.mode() == Mode.DCP ? alpha : 0, lr,
                tokensPerStep / seconds);
    }

    private Checkpoints.State state(long step, long optimizerSteps) {
        return new Checkpoints.State(step, optimizerSteps, options.steps(), options.seed(), options.mode().id(),
                options.window(), options.gamma(), options.batch(), options.accumulate(), options.context(), options.lr(),
                options.warmup(), options.alphaEnd(),
                options.mode() == Mode.DCP ? options.rankFor(base.config().dModel()) : null,
                options.base().toString(), options.data().toString(), data.size(), options.lrSchedule().id());
    }

    /** A resumed run must be the same run: the schedules and the data windows depend on these settings. */
    private void requireSameRun(Checkpoints.State saved, Path checkpoint) {
        Checkpoints.State now = state(saved.step(), saved.optimizerSteps());
        List<String> differences = new java.util.ArrayList<>();
        compare(differences, "--mode", saved.mode(), now.mode());
        compare(differences, "--steps", saved.totalSteps(), now.totalSteps());
        compare(differences, "--seed", saved.seed(), now.seed());
        compare(differences, "--window", saved.window(), now.window());
        compare(differences, "--gamma", saved.gamma(), now.gamma());
        compare(differences, "--batch", saved.batch(), now.batch());
        compare(differences, "--accumulate", saved.accumulate(), now.accumulate());
        compare(differences, "--context", saved.context(), now.context());
        compare(differences, "--lr", saved.lr(), now.lr());
        compare(differences, "--warmup", saved.warmup(), now.warmup());
        compare(differences, "--lr-schedule", saved.lrScheduleOrDefault(), now.lrScheduleOrDefault());
        compare(differences, "--alpha-end", saved.alphaEnd(), now.alphaEnd());
        compare(differences, "training data tokens", saved.dataTokens(), now.dataTokens());
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("--resume: " + checkpoint.getFileName() + " was made by a different run ("
                    + String.join(", ", differences) + ")");
        }
    }

    private static void compare(List<String> differences, String what, Object saved, Object now) {
        if (!saved.equals(now)) {
            differences.add(what + " was " + saved + ", now " + now);
        }
    }

    private ModelConfig export(DcpTransformer model, TrainingLog.Row last) throws IOException {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("base", options.base().toString());
        training.put("data", options.data().toString());
        training.put("mode", options.mode().id());
        training.put("gamma", options.mode() == Mode.DCP ? options.gamma() : 0.0);
        training.put("sparsity_loss", "gamma * mean keep over causal pairs j < k, averaged over layers");
        if (options.mode() == Mode.WINDOW) {
            training.put("window", options.window());
        }
        training.put("steps", options.steps());
        if (model.hasGates()) {
            training.put("rank", model.dcpSpec().rank());
            training.put("alpha_end", options.alphaEnd());
        }
        training.put("lr", options.lr());
        training.put("lr_schedule", options.lrSchedule().id());
        training.put("warmup", options.warmup());
        training.put("weight_decay", options.weightDecay());
        training.put("batch", options.batch());
        training.put("accumulate", options.accumulate());
        training.put("context", options.context());
        training.put("seed", options.seed());
        training.put("final_train_lm_loss", last.lmLoss());
        training.put("final_train_sparsity", last.sparsity());
        ModelConfig config = model.exportConfig().withProvenance(
                new ModelConfig.Provenance(base.name(), IMPORTER, Instant.now().toString(), training));
        ModelPackage.write(options.out(), config, model.toWeights(), base.tokenizerFile());
        Path log = checkpoints.directory().resolve(LOG_FILE);
        Path plot = checkpoints.directory().resolve(PLOT_FILE);
        Files.copy(log, options.out().resolve(LOG_FILE), StandardCopyOption.REPLACE_EXISTING);
        if (Files.exists(plot)) {
            Files.copy(plot, options.out().resolve(PLOT_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        return config;
    }

    private ProgressBar progressBar(long startStep) {
        return options.progress()
                ? ProgressBars.from("dcp-train " + options.mode().id(), options.steps(), "steps", startStep)
                : null;
    }
}
