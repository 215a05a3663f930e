package org.dcpserve.train.train;

import java.nio.file.Path;

/**
 * Everything a fine-tuning run needs. Build with {@link #builder()}; {@link #validate()} explains the
 * first thing that is wrong in one sentence.
 *
 * @param base            model package, llama2.c checkpoint or Hugging Face directory (GPT-2 or Llama family) to start from
 * @param data            text file, stories separated by lines holding only {@code <|endoftext|>}
 * @param out             model package directory to write at the end
 * @param mode            dcp (learned gates), dense (plain fine-tune) or window (sliding-window baseline)
 * @param gamma           weight of the sparsity term: loss = LM + gamma * mean keep over causal pairs j &lt; k
 *                        (dcp mode only; the reference code's mean over the full n x n matrix is about half of ours,
 *                        so its 0.3 is our 0.15)
 * @param rank            gate rank r for new gates; null: 16 when d_model &lt;= 256, else 64 (the paper's)
 * @param window          sliding window (window mode): each query sees this many positions, itself included
 * @param steps           optimizer steps of the whole run (the alpha schedule spans them)
 * @param batch           sequences per micro-batch
 * @param accumulate      micro-batches per optimizer step (gradient accumulation)
 * @param context         tokens per training sequence
 * @param lr              peak learning rate
 * @param warmup          linear warm-up steps
 * @param lrSchedule      after warm-up: constant (fine-tuning) or cosine decay to a tenth of lr at the last step (pretraining)
 * @param alphaEnd        final alpha of the cosine schedule from 1
 * @param weightDecay     AdamW decoupled weight decay (matrices only)
 * @param clip            global gradient-norm clip (0: none)
 * @param betaInit        initial gate bias for new gates
 * @param seed            seeds the gate initialisation and the data windows
 * @param checkpointDir   where checkpoints, the CSV log and the plot go; null: {@code <out>-checkpoints}
 * @param checkpointEvery save every this many steps (0: only at the end)
 * @param resume          continue from the latest checkpoint in checkpointDir
 * @param threads         PyTorch intra-op threads (0: all processors)
 * @param stopAt          stop after this step (checkpointing it) without exporting, as if interrupted; 0: run to the end
 * @param progress        show a progress bar on stderr
 */
public record TrainingOptions(Path base, Path data, Path out, Mode mode, double gamma, Integer rank, int window,
                              int steps, int batch, int accumulate, int context, double lr, int warmup, LrSchedule lrSchedule,
                              double alphaEnd, double weightDecay, double clip, float betaInit, long seed,
                              Path checkpointDir, int checkpointEvery, boolean resume, int threads, int stopAt,
                              boolean progress) {

    public enum Mode {
        DCP, DENSE, WINDOW;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum LrSchedule {
        CONSTANT, COSINE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Where checkpoints, log and plot go. */
    public Path resolvedCheckpointDir() {
        if (checkpointDir != null) {
            return checkpointDir;
        }
        Path abs = out.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + "-checkpoints");
    }

    /** The gate rank for a model of width {@code dModel}. */
    public int rankFor(int dModel) {
        return rank != null ? rank : dModel <= 256 ? 16 : 64;
    }

    /** @throws IllegalArgumentException naming the first invalid option */
    public TrainingOptions validate() {
        require(base != null, "--base is required");
        require(data != null, "--data is required");
        require(out != null, "--out is required");
        require(mode != null, "--mode is required");
        require(steps >= 1, "--steps must be at least 1");
        require(batch >= 1, "--batch must be at least 1");
        require(accumulate >= 1, "--accumulate must be at least 1");
        require(context >= 2, "--context must be at least 2");
        require(lr > 0 && Double.isFinite(lr), "--lr must be positive");
        require(warmup >= 0, "--warmup cannot be negative");
        require(lrSchedule != null, "--lr-schedule is required");
        require(gamma >= 0 && Double.isFinite(gamma), "--gamma cannot be negative");
        require(alphaEnd >= 1 && Double.isFinite(alphaEnd), "--alpha-end must be at least 1");
        require(weightDecay >= 0, "--weight-decay cannot be negative");
        require(clip >= 0, "--clip cannot be negative");
        require(rank == null || rank >= 1, "--rank must be at least 1");
        require(mode != Mode.WINDOW || window >= 1, "--mode window needs --window N (N >= 1)");
        require(checkpointEvery >= 0, "--checkpoint-every cannot be negative");
        require(threads >= 0, "--threads cannot be negative");
        require(stopAt >= 0 && stopAt <= steps, "--stop-at must be between 1 and --steps");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults follow method.md section 4 where they apply to a small CPU run. */
    public static final class Builder {
        private Path base;
        private Path data;
        private Path out;
        private Mode mode = Mode.DCP;
        private double gamma = 0.15;
        private Integer rank;
        private int window;
        private int steps = 1000;
        private int batch = 8;
        private int accumulate = 1;
        private int context = 256;
        private double lr = 1e-4;
        private int warmup = 100;
        private LrSchedule lrSchedule = LrSchedule.CONSTANT;
        private double alphaEnd = 8;
        private double weightDecay;
        private double clip = 1.0;
        private float betaInit = 2.0f;
        private long seed = 1234;
        private Path checkpointDir;
        private int checkpointEvery = 500;
        private boolean resume;
        private int threads;
        private int stopAt;
        private boolean progress = true;

        private Builder() {
        }

        private Builder(TrainingOptions o) {
            base = o.base;
            data = o.data;
            out = o.out;
            mode = o.mode;
            gamma = o.gamma;
            rank = o.rank;
            window = o.window;
            steps = o.steps;
            batch = o.batch;
            accumulate = o.accumulate;
            context = o.context;
            lr = o.lr;
            warmup = o.warmup;
            lrSchedule = o.lrSchedule;
            alphaEnd = o.alphaEnd;
            weightDecay = o.weightDecay;
            clip = o.clip;
            betaInit = o.betaInit;
            seed = o.seed;
            checkpointDir = o.checkpointDir;
            checkpointEvery = o.checkpointEvery;
            resume = o.resume;
            threads = o.threads;
            stopAt = o.stopAt;
            progress = o.progress;
        }

        public Builder base(Path v) { base = v; return this; }
        public Builder data(Path v) { data = v; return this; }
        public Builder out(Path v) { out = v; return this; }
        public Builder mode(Mode v) { mode = v; return this; }
        public Builder gamma(double v) { gamma = v; return this; }
        public Builder rank(Integer v) { rank = v; return this; }
        public Builder window(int v) { window = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder accumulate(int v) { accumulate = v; return this; }
        public Builder context(int v) { context = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder lrSchedule(LrSchedule v) { lrSchedule = v; return this; }
        public Builder alphaEnd(double v) { alphaEnd = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clip(double v) { clip = v; return this; }
        public Builder betaInit(float v) { betaInit = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder checkpointDir(Path v) { checkpointDir = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder resume(boolean v) { resume = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder stopAt(int v) { stopAt = v; return this; }
        public Builder progress(boolean v) { progress = v; return this; }

        public TrainingOptions build() {
            return new TrainingOptions(base, data, out, mode, gamma, rank, window, steps, batch, accumulate, context,
                    lr, warmup, lrSchedule, alphaEnd, weightDecay, clip, betaInit, seed, checkpointDir, checkpointEvery, resume,
                    threads, stopAt, progress);
        }
    }
}
