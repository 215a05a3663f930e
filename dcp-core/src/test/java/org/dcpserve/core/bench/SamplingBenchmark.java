package org.dcpserve.core.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.dcpserve.core.generate.LogSoftmax;
import org.dcpserve.core.generate.LogitRows;
import org.dcpserve.core.generate.Sampler;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.SortingSampler;
import org.dcpserve.core.generate.TopTokens;

/**
 * Micro-benchmark of a decode step's per-token Java work (not a test): for a batch of 16 sequences at Qwen2.5's
 * vocabulary (151,936), the pick (penalties included where the setting has them), the chosen token's
 * log-probability and the top-5 alternatives' log-probabilities. Before: {@code SortingSampler}, the sampler as it
 * was (a sort of the vocabulary, a copy of the row for the penalties, a softmax pass for the log-probability and
 * another for the top 5). After: {@code Sampler}, {@code LogSoftmax} and {@code TopTokens}. Alternating, in one
 * run; microseconds per batch-16 step, of the thread's CPU (what a shared host does not inflate) and wall-clock.
 * Each step builds its samplers (a 512-token prompt's penalty counts), in both.
 *
 * <pre>java -cp dcp-core/target/test-classes:dcp-core/target/classes org.dcpserve.core.bench.SamplingBenchmark [rounds]</pre>
 */
public final class SamplingBenchmark {

    private static final int BATCH = 16;
    private static final int VOCAB = LogitRows.QWEN_VOCAB;
    private static final int TOP_N = 5;
    private static final int PROMPT = 512;
    /** Keeps the results alive, so the JIT cannot drop the work. */
    private static double sink;

    private record Setting(String name, LogitRows rows, SamplingParams params) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        List<Setting> settings = List.of(
                // Qwen2.5-Instruct's generation_config.json
                new Setting("T 0.7, top_k 20, top_p 0.8, repetition 1.05", LogitRows.HEAD,
                        new SamplingParams(0.7f, 20, 0.8f, 1, 1.05f, 0f, 0f, 1f)),
                new Setting("T 0.7, top_p 0.9, frequency 0.3, presence 0.2", LogitRows.HEAD,
                        new SamplingParams(0.7f, 0, 0.9f, 1, 1f, 0.3f, 0.2f, 1f)),
                new Setting("T 1, top_p 1 (OpenAI's defaults)", LogitRows.HEAD,
                        new SamplingParams(1f, 0, 1f, 1)),
                new Setting("T 1, typical_p 0.9", LogitRows.HEAD,
                        new SamplingParams(1f, 0, 1f, 1, 1f, 0f, 0f, 0.9f)),
                new Setting("greedy, repetition 1.1", LogitRows.HEAD,
                        new SamplingParams(0f, 0, 1f, 1, 1.1f, 0f, 0f, 1f)),
                new Setting("flat rows (random weights), T 0.7, top_p 0.9", LogitRows.FLAT,
                        new SamplingParams(0.7f, 0, 0.9f, 1)));
        SplittableRandom random = new SplittableRandom(151_936);
        int[] prompt = random.ints(PROMPT, 0, VOCAB).toArray();
        System.out.printf("Java per batch-%d step at vocabulary %d, top-%d log-probabilities, %d-token prompts%n",
                BATCH, VOCAB, TOP_N, PROMPT);
        System.out.println("us per step, thread CPU: before (sort), after (partial), ratio | wall: before, after"
                + " | top_p 0.9 nucleus at T 0.7 | setting");
        for (int round = 0; round < rounds; round++) {
            for (Setting setting : settings) {
                float[][] rows = new float[BATCH][];
                for (int s = 0; s < BATCH; s++) {
                    rows[s] = setting.rows().make(random, VOCAB);
                }
                // Fresh samplers every step: a penalty's counts would otherwise grow with the calls, and more calls
                // of the faster sampler would flatten its rows more.
                CallTimer.Call sorting = () -> {
                    for (int s = 0; s < BATCH; s++) {
                        int token = new SortingSampler(setting.params(), prompt).next(rows[s]);
                        consume(SortingSampler.logProbability(rows[s], token));
                        consume(SortingSampler.topLogProbabilities(rows[s], TOP_N)[0]);
                    }
                };
                CallTimer.Call partial = () -> {
                    for (int s = 0; s < BATCH; s++) {
                        int token = new Sampler(setting.params(), prompt).next(rows[s]);
                        LogSoftmax softmax = LogSoftmax.of(rows[s]);
                        consume(softmax.logProbability(token));
                        for (int id : TopTokens.best(rows[s], TOP_N)) {
                            consume(softmax.logProbability(id));
                        }
                    }
                };
                double sortingCpu = CallTimer.cpuMicrosPerCall(sorting);
                double partialCpu = CallTimer.cpuMicrosPerCall(partial);
                double sortingWall = CallTimer.microsPerCall(sorting);
                double partialWall = CallTimer.microsPerCall(partial);
                System.out.printf("%9.0f %9.0f %6.1fx | %9.0f %9.0f | %8d | %s%n", sortingCpu, partialCpu,
                        sortingCpu / partialCpu, sortingWall, partialWall, nucleus(rows[0], 0.7, 0.9), setting.name());
            }
        }
        System.out.println("after, its parts: us of thread CPU per row (one sequence)");
        System.out.println("  Sampler.next | setting");
        for (Setting setting : settings) {
            float[] row = setting.rows().make(random, VOCAB);
            System.out.printf("%14.0f | %s%n", CallTimer.cpuMicrosPerCall(
                    () -> consume(new Sampler(setting.params(), prompt).next(row))), setting.name());
        }
        float[] row = LogitRows.HEAD.make(random, VOCAB);
        System.out.printf("%14.0f | LogSoftmax.of (the log-probabilities' one exp pass)%n",
                CallTimer.cpuMicrosPerCall(() -> consume(LogSoftmax.of(row).logProbability(0))));
        System.out.printf("%14.0f | TopTokens.best, 5%n",
                CallTimer.cpuMicrosPerCall(() -> consume(TopTokens.best(row, TOP_N)[0])));
    }

    /** How many of the most likely tokens of {@code logits} reach probability p at temperature t. */
    private static int nucleus(float[] logits, double t, double p) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        double max = sorted[sorted.length - 1];
        double sum = 0;
        for (float logit : sorted) {
            sum += Math.exp((logit - max) / t);
        }
        double cumulative = 0;
        int n = 0;
        while (cumulative < p * sum) {
            cumulative += Math.exp((sorted[sorted.length - 1 - n++] - max) / t);
        }
        return n;
    }

    private static void consume(double value) {
        sink += value;
    }
}
