package org.dcpserve.core.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Turns a checkpoint into a model package. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Convert a llama2.c checkpoint (tokenizer beside it) or a Hugging Face GPT-2 directory"
                + " (config.json + model.safetensors) into a model package.")
final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the checkpoint file or directory")
    Path checkpoint;

    @Parameters(index = "1", description = "the model package directory to write (e.g. onnx-models/gpt2)")
    Path output;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = ModelLoader.importToPackage(checkpoint, output);
        System.out.printf("wrote %s: %s, %d layers, d_model %d, %d heads (%d kv), context %d%n", output,
                config.architecture().id(), config.layers(), config.dModel(), config.heads(), config.kvHeads(),
                config.contextLength());
        return 0;
    }
}
