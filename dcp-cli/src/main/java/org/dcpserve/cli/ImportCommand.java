package org.dcpserve.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dcpserve.core.load.ModelLoader;
import java.util.SplittableRandom;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.RandomWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Turns a checkpoint into a model package. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Convert a llama2.c checkpoint (tokenizer beside it), a Hugging Face GPT-2 directory"
                + " (config.json + model.safetensors) or a Hugging Face Llama, Mistral, Qwen2 or Qwen3 directory"
                + " (config.json, safetensors, tokenizer.json) into a model package.")
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the checkpoint file or directory")
    Path checkpoint;

    @Parameters(index = "1", description = "the model package directory to write (e.g. onnx-models/gpt2)")
    Path output;

    @Option(names = "--random-gates", description = "add random DCP gates RANK:BETA (e.g. 8:2.0; interaction"
            + " projections ~ N(0, 1/d), the same beta in every layer): a pruning model to measure, not a trained one")
    String randomGates;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = ModelLoader.importToPackage(checkpoint, output);
        if (randomGates != null) {
            String[] parts = randomGates.split(":");
            int rank = Integer.parseInt(parts[0]);
            float[] beta = new float[config.layers()];
            java.util.Arrays.fill(beta, Float.parseFloat(parts[1]));
            ModelWeights weights = ModelPackage.readWeights(output);
            SplittableRandom random = new SplittableRandom(260);
            double std = 1.0 / Math.sqrt(config.dModel());
            for (int l = 0; l < config.layers(); l++) {
                weights.put(ModelWeights.layer(l, "wq_int"), RandomWeights.gaussian(random, std, config.dModel(), rank));
                weights.put(ModelWeights.layer(l, "wk_int"), RandomWeights.gaussian(random, std, config.dModel(), rank));
            }
            config = config.withDcp(new ModelConfig.DcpSpec(rank, beta));
            // The tokenizer file is already in the package; only config and graphs are rewritten.
            ModelPackage.write(output, config, weights, null);
        }
        System.out.printf("wrote %s: %s, %d layers, d_model %d, %d heads (%d kv), context %d%n", output,
                config.architecture().id(), config.layers(), config.dModel(), config.heads(), config.kvHeads(),
                config.contextLength());
        return 0;
    }
}
