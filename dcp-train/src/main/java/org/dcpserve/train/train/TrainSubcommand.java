package org.dcpserve.train.train;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dcp-train train}: one fine-tuning run, exported as a model package. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Fine-tune a model with Dynamic Context Pruning gates (or densely, or with a sliding window) and"
                        + " export it as a model package the engine serves.",
                "Loss = LM cross-entropy (mean over positions) + gamma * mean keep probability I[k,j] over causal"
                        + " pairs j < k, averaged over layers. The reference code's mean over the full n x n matrix"
                        + " is about half of that, so its 0.3 corresponds to --gamma 0.15 here.",
                "alpha follows a cosine schedule from 1 (first step) to --alpha-end (last step). AdamW (0.9, 0.95),"
                        + " linear warm-up then a constant lr (or --lr-schedule cosine), all parameters trained, gradients clipped at --clip.",
                "Checkpoints, a per-step CSV log (train_log.csv) and a plot (train_curves.png) go to"
                        + " --checkpoint-dir; log and plot are also copied into the package."
        })
public final class TrainSubcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "PATH",
            description = "model to start from: a model package, a llama2.c checkpoint (tokenizer beside it)"
                    + " or a Hugging Face directory (GPT-2, or Llama, Mistral, Qwen2, Qwen3)")
    Path base;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "training text: stories separated by lines holding only <|endoftext|>")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model package directory to write")
    Path out;

    @Option(names = "--mode", defaultValue = "dcp", paramLabel = "MODE",
            description = "dcp (learned gates), dense (plain fine-tune, no gates) or window (sliding-window"
                    + " baseline, exported without gates); default: ${DEFAULT-VALUE}")
    String mode;

    @Option(names = "--gamma", defaultValue = "0.15", description = "sparsity weight (dcp mode); default: ${DEFAULT-VALUE}")
    double gamma;

    @Option(names = "--rank", description = "gate rank r for new gates; default 16 when d_model <= 256, else 64")
    Integer rank;

    @Option(names = "--window", defaultValue = "0", paramLabel = "N",
            description = "positions each query sees in window mode, itself included")
    int window;

    @Option(names = "--steps", defaultValue = "1000", description = "optimizer steps; default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--batch", defaultValue = "8", description = "sequences per micro-batch; default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--accumulate", defaultValue = "1",
            description = "micro-batches per optimizer step; default: ${DEFAULT-VALUE}")
    int accumulate;

    @Option(names = "--context", defaultValue = "256", description = "tokens per sequence; default: ${DEFAULT-VALUE}")
    int context;

    @Option(names = "--lr", defaultValue = "1e-4", description = "learning rate after warm-up; default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--warmup", defaultValue = "100", description = "linear warm-up steps; default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "SCHEDULE",
            description = "after warm-up: constant (fine-tuning) or cosine (decay to lr/10 at the last step, for"
                    + " pretraining); default: ${DEFAULT-VALUE}")
    String lrSchedule;

    @Option(names = "--alpha-end", defaultValue = "8", description = "final alpha of the sparse sigmoid; default: ${DEFAULT-VALUE}")
    double alphaEnd;

    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay on matrices; default: ${DEFAULT-VALUE}")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "gradient-norm clip, 0 for none; default: ${DEFAULT-VALUE}")
    double clip;

    @Option(names = "--beta-init", defaultValue = "2.0", description = "initial gate bias of new gates; default: ${DEFAULT-VALUE}")
    float betaInit;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of gate init and data windows; default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "checkpoints, log and plot; default <out>-checkpoints")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "K",
            description = "save a checkpoint every K steps (and always at the end); default: ${DEFAULT-VALUE}")
    int checkpointEvery;

    @Option(names = "--resume", description = "continue from the latest checkpoint in --checkpoint-dir")
    boolean resume;

    @Option(names = "--stop-at", defaultValue = "0", paramLabel = "STEP",
            description = "stop after STEP (checkpointed, not exported); resume later with --resume")
    int stopAt;

    @Option(names = "--threads", defaultValue = "0",
            description = "PyTorch intra-op threads; default: all processors. On a machine busy with other jobs,"
                    + " fewer threads or the environment variable OMP_WAIT_POLICY=PASSIVE avoid stalls")
    int threads;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        TrainingOptions options;
        try {
            options = TrainingOptions.builder()
                    .base(base).data(data).out(out).mode(mode(mode)).gamma(gamma).rank(rank).window(window)
                    .steps(steps).batch(batch).accumulate(accumulate).context(context).lr(lr).warmup(warmup).lrSchedule(lrSchedule(lrSchedule))
                    .alphaEnd(alphaEnd).weightDecay(weightDecay).clip(clip).betaInit(betaInit).seed(seed)
                    .checkpointDir(checkpointDir).checkpointEvery(checkpointEvery).resume(resume).stopAt(stopAt)
                    .threads(threads).progress(!noProgress)
                    .build().validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        TrainingResult result = TrainingRun.run(options);
        String where = result.packageDir() != null
                ? "wrote " + result.packageDir()
                : "stopped at step " + result.stepsDone() + "; checkpoint in " + result.checkpointDir();
        spec.commandLine().getOut().printf(Locale.ROOT,
                "%s: step %d, loss %.4f, LM loss %.4f, sparsity %.1f%%, %.0f tokens/s over %.1f s%n",
                where, result.stepsDone(), result.finalLoss(), result.finalLmLoss(), 100 * result.finalSparsity(),
                result.tokensPerSecond(), result.seconds());
        return 0;
    }

    private static TrainingOptions.LrSchedule lrSchedule(String value) {
        try {
            return TrainingOptions.LrSchedule.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lr-schedule must be constant or cosine, not '" + value + "'");
        }
    }

    private static TrainingOptions.Mode mode(String value) {
        try {
            return TrainingOptions.Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mode must be dcp, dense or window, not '" + value + "'");
        }
    }
}
