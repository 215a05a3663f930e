package org.dcpserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dcpserve.core.engine.BatchStep;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.KvLayout;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RuntimeOptions;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.engine.SyntheticContext;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.RandomWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What each {@link KvLayout} costs on one mixed batch: sequences of very different lengths and kept
 * shares decode side by side in one {@link BatchStep}, and the command reports, per layout, the bytes the
 * caches allocated against the bytes they hold, and the attention time per step. The batch is the same for
 * both layouts (same seed). A pruned sequence keeps a sliding window of its kept size, so its cache stays
 * that size while measured; what the layout sees (how many slots each cache holds) is what a gate's would be.
 */
@Command(name = "bench-kv-layout", mixinStandardHelpOptions = true,
        description = "Allocated vs held KV bytes and attention time per step of each KV layout (pooled,"
                + " per-sequence) on one mixed batch; appends to kv-layout.csv.")
public final class KvLayoutCommand implements Callable<Integer> {

    /** Context lengths of the batch's sequences, cycled. */
    private static final int[] LENGTHS = {48, 900, 160, 420, 64, 700, 250, 96};
    /** Kept shares of the batch's sequences, cycled (1: dense). */
    private static final double[] KEPT = {1.0, 0.2, 0.1, 0.5, 1.0, 0.2, 0.1, 0.2};

    @Option(names = "--shapes", split = ",", description = "tiny, gpt2-small, qwen2.5-0.5b (default: ${DEFAULT-VALUE})")
    List<String> shapes = List.of("tiny", "gpt2-small");

    @Option(names = "--batch", description = "sequences in the batch (default: ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--steps", description = "measured decode steps (default: ${DEFAULT-VALUE})")
    int steps = 16;

    @Option(names = "--threads", description = "intra-op threads (default: 0, every core)")
    int threads = 0;

    @Option(names = "--out", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out = Path.of("build/bench-kv-layout");

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        Path csv = out.resolve("kv-layout.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "shape,layout,batch,held_bytes,allocated_bytes,allocated_over_held,"
                    + "attend_ms_per_step,step_ms_per_step\n");
        }
        RuntimeOptions runtime = threads > 0 ? new RuntimeOptions(ExecutionProvider.CPU, threads)
                : RuntimeOptions.allCores(ExecutionProvider.CPU);
        for (String shape : shapes) {
            ModelConfig config = DecodeGrid.shape(shape);
            try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config,
                    RandomWeights.of(config, 1234, true)), runtime)) {
                Sequence source = new Sequence(model, DensePolicy.INSTANCE);
                source.forward(new SplittableRandom(3).ints(DecodeGrid.POOL_TOKENS, 0, config.vocabSize()).toArray());
                for (KvLayout layout : KvLayout.values()) {
                    String line = measure(shape, model, source, layout);
                    Files.writeString(csv, line, StandardOpenOption.APPEND);
                    System.out.print(line);
                }
            }
        }
        return 0;
    }

    private String measure(String shape, OnnxTransformer model, Sequence source, KvLayout layout) {
        ModelConfig config = model.config();
        SplittableRandom random = new SplittableRandom(11);
        BatchStep step = new BatchStep(model, layout);
        List<Sequence> sequences = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int length = Math.min(LENGTHS[i % LENGTHS.length], config.contextLength() - steps - 2);
            int kept = Math.max(1, (int) Math.round(KEPT[i % KEPT.length] * length));
            PruningPolicy policy = kept == length ? DensePolicy.INSTANCE : new SlidingWindowPolicy(kept);
            Sequence sequence = step.newSequence(policy);
            SyntheticContext.fill(sequence, source, length, kept, true, 1, random);
            sequences.add(sequence);
        }
        long total = 0;
        for (int s = -2; s < steps; s++) {          // two warm-up steps
            List<BatchStep.Feed> feeds = new ArrayList<>();
            for (Sequence sequence : sequences) {
                feeds.add(new BatchStep.Feed(sequence, new int[] {random.nextInt(config.vocabSize())},
                        BatchStep.Logits.LAST));
            }
            if (s == 0) {
                model.resetCallTimes();
            }
            long t0 = System.nanoTime();
            step.run(feeds);
            if (s >= 0) {
                total += System.nanoTime() - t0;
            }
        }
        long attend = model.callTimes().nanos()[OnnxTransformer.Call.ATTEND.ordinal()];
        long held = 0;
        long allocated = step.spareBytes();
        for (Sequence sequence : sequences) {
            held += sequence.heldBytes();
            allocated += sequence.allocatedBytes();
            sequence.release();
        }
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.2f,%.3f,%.3f%n", shape, layout.name().toLowerCase(Locale.ROOT),
                batch, held, allocated, (double) allocated / held, attend / 1e6 / steps, total / 1e6 / steps);
    }
}
