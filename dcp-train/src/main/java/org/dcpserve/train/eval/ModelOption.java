package org.dcpserve.train.eval;

import java.io.IOException;
import java.nio.file.Path;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import picocli.CommandLine.Option;

/** {@code --model}: the model the commands that run the serving engine (eval, distill) load. */
final class ModelOption {

    @Option(names = "--model", required = true, paramLabel = "<model>",
            description = "model package, llama2.c checkpoint or Hugging Face directory (GPT-2 or Llama family)")
    Path path;

    ModelSource load() throws IOException {
        return ModelLoader.load(path);
    }
}
