package org.dcpserve.train.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.pruning.PruningPolicies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Perplexity and sparsity of a model on a text file, through the serving engine. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Perplexity of a model on a text file (stories separated by <|endoftext|> lines), run by"
                + " the same ONNX engine the service uses, dense and pruned, with the sparsity each policy reaches.")
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--data", required = true, description = "evaluation text")
    Path data;

    @Option(names = "--context", description = "tokens per evaluation window (default: ${DEFAULT-VALUE})")
    int context = 256;

    @Option(names = "--packed", description = "concatenate the stories and cut windows of --context tokens,"
            + " instead of evaluating each story on its own (the default)")
    boolean packed;

    @Option(names = "--policy", split = ",", description = "dense, dcp, window:N, or 'window:match' (the window"
            + " with the sparsity dcp reached); default: dense, plus dcp and window:match for a gated model")
    List<String> policies = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ModelSource source = model.load();
        try (OnnxTransformer transformer = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            int window = Math.min(context, source.config().contextLength());
            List<int[]> sequences = Stories.sequences(Stories.read(data), source.tokenizer(), source.config(), window, packed);
            int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
            PerplexityEvaluator evaluator = new PerplexityEvaluator(transformer);
            List<String> names = policies.isEmpty()
                    ? source.config().hasDcpGates() ? List.of("dense", "dcp", "window:match") : List.of("dense")
                    : policies;
            System.out.printf("%s on %s: %d sequences, %d tokens%s%n", source.name(), data.getFileName(), sequences.size(),
                    java.util.Arrays.stream(lengths).sum(), packed ? ", packed in windows of " + window : ", one per story");
            long bytes = scoredBytes(sequences, source.tokenizer());
            System.out.println("| policy | perplexity | bits per byte | sparsity | KV bytes vs dense |");
            System.out.println("| --- | --- | --- | --- | --- |");
            double lastSparsity = 0;
            for (String name : names) {
                String resolved = name.equals("window:match")
                        ? "window:" + SlidingWindows.windowFor(lengths, lastSparsity) : name;
                PerplexityEvaluator.Result result =
                        evaluator.evaluate(sequences, PruningPolicies.parse(resolved, source.config()));
                lastSparsity = result.sparsity();
                double bitsPerByte = result.tokens() * Math.log(result.perplexity()) / Math.log(2) / bytes;
                System.out.printf("| %s | %.3f | %.4f | %.1f%% | %.1f%% |%n", resolved, result.perplexity(), bitsPerByte,
                        100 * result.sparsity(), 100 * result.kvBytesFraction());
            }
        }
        return 0;
    }

    /**
     * UTF-8 bytes of the text the scored tokens (all but the first of each sequence) stand for: bits per
     * byte compares models whose tokenizers differ, where perplexity per token does not.
     */
    private static long scoredBytes(List<int[]> sequences, org.dcpserve.core.tokenizer.Tokenizer tokenizer) {
        long bytes = 0;
        for (int[] sequence : sequences) {
            int[] scored = java.util.Arrays.copyOfRange(sequence, Math.min(1, sequence.length), sequence.length);
            bytes += tokenizer.decode(scored).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return bytes;
    }
}
