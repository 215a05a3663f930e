package org.dcpserve.train.pretrain;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.tokenizer.BpeTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dcp-train init}: a GPT-2 model package with random weights (GPT-2's initialisation) and a
 * BPE tokenizer, the starting point of pretraining: {@code dcp-train train --base <it> --mode dense
 * --lr-schedule cosine} then trains it like any other base model.
 */
@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a GPT-2 model package with randomly initialised weights (N(0, 0.02), residual"
                + " projections scaled by 1/sqrt(2 layers), tied head) for a BPE tokenizer, to pretrain from.")
public final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
            description = "BPE tokenizer (tokenizer.json from `dcp-train tokenizer`); copied into the package")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model package directory to write")
    Path out;

    @Option(names = "--layers", defaultValue = "6", description = "transformer blocks; default: ${DEFAULT-VALUE}")
    int layers;

    @Option(names = "--d-model", defaultValue = "192", description = "residual width; default: ${DEFAULT-VALUE}")
    int dModel;

    @Option(names = "--heads", defaultValue = "6", description = "attention heads; default: ${DEFAULT-VALUE}")
    int heads;

    @Option(names = "--ffn", description = "MLP hidden width; default 4 x d-model")
    Integer ffn;

    @Option(names = "--context", defaultValue = "256", description = "most positions; default: ${DEFAULT-VALUE}")
    int context;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the weights; default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws Exception {
        BpeTokenizer bpe = BpeTokenizer.load(tokenizer);
        ModelConfig config;
        try {
            config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, layers, dModel, heads, heads,
                    ffn != null ? ffn : 4 * dModel, bpe.vocabSize(), context, 1e-5f, 0f,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.BPE, BpeTokenizer.END_OF_TEXT,
                            BpeTokenizer.END_OF_TEXT),
                    null, null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, Object> init = new LinkedHashMap<>();
        init.put("init", "gpt2: N(0, 0.02), residual projections N(0, 0.02 / sqrt(2 layers)), tied head");
        init.put("seed", seed);
        ModelWeights weights = Gpt2Init.weights(config, seed);
        config = config.withProvenance(new ModelConfig.Provenance("random initialisation", "dcp-train init",
                java.time.Instant.now().toString(), init));
        ModelPackage.write(out, config, weights, tokenizer);
        spec.commandLine().getOut().printf("wrote %s: gpt2, %d layers x %d, %d heads, vocabulary %d, context %d,"
                + " %,d parameters%n", out, layers, dModel, heads, config.vocabSize(), context, weights.parameterCount()
                - config.vocabSize() * (long) dModel);
        return 0;
    }
}
