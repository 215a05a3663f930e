package org.dcpserve.core.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Measures load time, prefill latency and decode throughput of one model. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure model load time, prefill latency and decode tokens/s (greedy, one sequence).")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "a model package, llama2.c checkpoint or Hugging Face GPT-2 directory")
    Path model;

    @Option(names = "--prompt", description = "prompt text (default: ${DEFAULT-VALUE})")
    String prompt = "Once upon a time";

    @Option(names = "--tokens", description = "new tokens per run (default: ${DEFAULT-VALUE})")
    int tokens = 200;

    @Option(names = "--runs", description = "measured runs after one warm-up (default: ${DEFAULT-VALUE})")
    int runs = 5;

    @Option(names = "--provider", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    ExecutionProvider provider = ExecutionProvider.CPU;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        ModelSource source = ModelLoader.load(model);
        try (OnnxTransformer transformer = new OnnxTransformer(source.config(), source.graphs(), provider)) {
            double loadMs = (System.nanoTime() - start) / 1e6;
            TextGenerator generator = new TextGenerator(transformer, source.tokenizer());
            GenerationRequest request = new GenerationRequest(prompt, tokens, SamplingParams.greedy(), List.of(), null);
            generator.generate(request, TokenListener.NONE);
            double prefillMs = 0;
            double tokensPerSecond = 0;
            int generated = 0;
            for (int run = 0; run < runs; run++) {
                Generation generation = generator.generate(request, TokenListener.NONE);
                generated = generation.tokens().size();
                prefillMs += generation.timings().prefillNanos() / 1e6 / runs;
                tokensPerSecond += generation.timings().decodeTokensPerSecond(generated) / runs;
            }
            System.out.printf("model %s (%s): load %.0f ms, prompt %d tokens, prefill %.2f ms,"
                            + " decode %.1f tokens/s over %d tokens (mean of %d runs)%n",
                    source.name(), source.kind(), loadMs, generator.promptTokens(request).length, prefillMs,
                    tokensPerSecond, generated, runs);
        }
        return 0;
    }
}
