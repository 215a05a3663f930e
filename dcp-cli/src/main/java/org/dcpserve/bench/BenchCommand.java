package org.dcpserve.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dcpserve.cli.options.PromptOption;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.pruning.PruningPolicies;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.PruningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Measures load time, prefill latency and decode throughput of one model. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure model load time, prefill latency and decode tokens/s (greedy, one sequence).")
public final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "a model package, llama2.c checkpoint or Hugging Face directory")
    Path model;

    @Mixin
    PromptOption prompt;

    @Option(names = "--tokens", description = "new tokens per run (default: ${DEFAULT-VALUE})")
    int tokens = 200;

    @Option(names = "--runs", description = "measured runs after one warm-up (default: ${DEFAULT-VALUE})")
    int runs = 5;

    @Option(names = "--policy", description = "dense, dcp or window:N (default: dcp for a gated model, else dense)")
    String policy;

    @Option(names = "--provider", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    ExecutionProvider provider = ExecutionProvider.CPU;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        ModelSource source = ModelLoader.load(model);
        try (OnnxTransformer transformer = new OnnxTransformer(source.config(), source.graphs(), provider)) {
            double loadMs = (System.nanoTime() - start) / 1e6;
            TextGenerator generator = new TextGenerator(transformer, source.tokenizer());
            GenerationRequest request = new GenerationRequest(prompt.text(), tokens, SamplingParams.greedy(), List.of(), null);
            PruningPolicy pruning = policy == null ? generator.policyFor(null) : PruningPolicies.parse(policy, source.config());
            generator.generate(request, pruning, TokenListener.NONE);
            double prefillMs = 0;
            double tokensPerSecond = 0;
            Generation generation = null;
            for (int run = 0; run < runs; run++) {
                generation = generator.generate(request, pruning, TokenListener.NONE);
                prefillMs += generation.timings().prefillNanos() / 1e6 / runs;
                tokensPerSecond += generation.timings().decodeTokensPerSecond(generation.tokens().size()) / runs;
            }
            PruningReport report = generation.pruning();
            System.out.printf("model %s (%s), policy %s: load %.0f ms, prompt %d tokens, prefill %.2f ms,"
                            + " decode %.1f tokens/s over %d tokens (mean of %d runs); sparsity %.1f%%,"
                            + " KV cache %d of %d dense bytes%n",
                    source.name(), source.kind(), pruning.name(), loadMs, generator.promptTokens(request).length,
                    prefillMs, tokensPerSecond, generation.tokens().size(), runs, 100 * report.sparsity(),
                    report.kvCacheBytes(), report.denseKvCacheBytes());
        }
        return 0;
    }
}
