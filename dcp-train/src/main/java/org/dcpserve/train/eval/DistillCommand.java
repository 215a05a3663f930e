package org.dcpserve.train.eval;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.train.ProgressBars;
import org.dcpserve.train.train.TokenData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Self-distillation: a training corpus sampled from the dense model itself, for users without a corpus. */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Sample stories from a model (dense) into a text file, stories separated by <|endoftext|> lines.")
public final class DistillCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--out", required = true, description = "text file to write")
    Path out;

    @Option(names = "--stories", description = "stories to sample (default: ${DEFAULT-VALUE})")
    int stories = 1000;

    @Option(names = "--max-tokens", description = "most tokens per story (default: ${DEFAULT-VALUE})")
    int maxTokens = 300;

    @Option(names = "--prompt", description = "prompt every story starts from (default: ${DEFAULT-VALUE})")
    String prompt = "Once upon a time";

    @Option(names = "--temperature", description = "sampling temperature (default: ${DEFAULT-VALUE})")
    float temperature = 1.0f;

    @Option(names = "--seed", description = "seed of the first story; story i uses seed + i (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        ModelSource source = model.load();
        try (OnnxTransformer transformer = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU);
             BufferedWriter writer = Files.newBufferedWriter(out);
             ProgressBar progress = ProgressBars.of("distill", stories, "stories")) {
            TextGenerator generator = new TextGenerator(transformer, source.tokenizer());
            for (int i = 0; i < stories; i++) {
                GenerationRequest request = new GenerationRequest(prompt, maxTokens,
                        new SamplingParams(temperature, 0, 1f, seed + i), List.of(), null, false);
                Generation generation = generator.generate(request, TokenListener.NONE);
                writer.write(prompt + generation.text());
                writer.write("\n" + TokenData.SEPARATOR + "\n");
                progress.step();
            }
        }
        return 0;
    }
}
