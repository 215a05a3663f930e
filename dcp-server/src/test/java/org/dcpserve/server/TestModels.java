package org.dcpserve.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;

/** Model packages written for the server's tests, so they run without ../shared. */
public final class TestModels {

    public static final int CONTEXT_LENGTH = 64;

    private TestModels() {
    }

    /** A two-layer random GPT-2 with the full GPT-2 vocabulary, so any text tokenizes. */
    public static synchronized Path randomGpt2Package() {
        Path dir = Path.of("target", "test-models", "random-gpt2").toAbsolutePath();
        if (!Files.exists(dir.resolve(ModelPackage.CONFIG_FILE))) {
            ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 16, 2, 2, 32,
                    Gpt2Tokenizer.VOCAB_SIZE, CONTEXT_LENGTH, 1e-5f, 0f,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.GPT2, null, Gpt2Tokenizer.EOS_ID), null, null);
            try {
                ModelPackage.write(dir, config, RandomModels.weights(config, 17), null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }
}
