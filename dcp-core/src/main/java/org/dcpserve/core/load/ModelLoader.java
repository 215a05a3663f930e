package org.dcpserve.core.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.importer.HuggingFaceGpt2Importer;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.tokenizer.BpeTokenizer;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.dcpserve.core.tokenizer.Llama2cTokenizer;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * Resolves one path to a servable model: a model package directory, a llama2.c checkpoint (tokenizer
 * beside it) or a Hugging Face GPT-2 directory. Checkpoints are imported and their graphs built in memory.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    public static ModelSource load(Path path) throws IOException {
        requireExists(path);
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isDirectory(path) && ModelPackage.isPackage(path)) {
            ModelConfig config = ModelPackage.readConfig(path);
            return new ModelSource(name, ModelSource.Kind.MODEL_PACKAGE, config,
                    tokenizer(config, ModelPackage.tokenizerFile(config, path)), ModelPackage.graphs(path, config));
        }
        if (Files.isDirectory(path) && HuggingFaceGpt2Importer.looksLikeCheckpoint(path)) {
            return imported(name, ModelSource.Kind.HUGGING_FACE_GPT2, HuggingFaceGpt2Importer.load(path));
        }
        if (Files.isRegularFile(path) && Llama2cImporter.looksLikeCheckpoint(path)) {
            return imported(name, ModelSource.Kind.LLAMA2C_CHECKPOINT, Llama2cImporter.load(path));
        }
        throw new IOException(path + " is neither a model package (directory with config.json), a Hugging Face"
                + " GPT-2 directory (config.json + model.safetensors) nor a llama2.c checkpoint");
    }

    /** Imports a checkpoint and writes it as a model package. */
    public static ModelConfig importToPackage(Path checkpoint, Path packageDirectory) throws IOException {
        requireExists(checkpoint);
        ImportedModel model = Files.isDirectory(checkpoint)
                ? HuggingFaceGpt2Importer.load(checkpoint)
                : Llama2cImporter.load(checkpoint);
        ModelPackage.write(packageDirectory, model.config(), model.weights(), model.tokenizerFile());
        return model.config();
    }

    private static void requireExists(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("model not found: " + path.toAbsolutePath().normalize());
        }
    }

    private static ModelSource imported(String name, ModelSource.Kind kind, ImportedModel model) throws IOException {
        return new ModelSource(name, kind, model.config(), tokenizer(model.config(), model.tokenizerFile()),
                GraphSet.build(model.config(), model.weights()));
    }

    /**
     * The tokenizer a config names; {@code file} is where a file-based tokenizer lives (ignored, and may
     * be null, for {@code gpt2}). A {@code bpe} tokenizer must have exactly the model's vocabulary, so a
     * package with the wrong {@code tokenizer.json} fails here rather than producing nonsense.
     */
    public static Tokenizer tokenizer(ModelConfig config, Path file) throws IOException {
        String kind = config.tokenizer().kind();
        if (file == null && (ModelConfig.TokenizerSpec.LLAMA2C.equals(kind) || ModelConfig.TokenizerSpec.BPE.equals(kind))) {
            throw new IOException("tokenizer kind '" + kind + "' needs a tokenizer file and none was given");
        }
        return switch (kind) {
            case ModelConfig.TokenizerSpec.LLAMA2C -> Llama2cTokenizer.load(file);
            case ModelConfig.TokenizerSpec.GPT2 -> new Gpt2Tokenizer();
            case ModelConfig.TokenizerSpec.BPE -> {
                BpeTokenizer bpe = BpeTokenizer.load(file);
                if (bpe.vocabSize() != config.vocabSize()) {
                    throw new IOException("tokenizer " + file + " has " + bpe.vocabSize()
                            + " tokens but the model's vocab_size is " + config.vocabSize());
                }
                yield bpe;
            }
            default -> throw new IOException("unknown tokenizer kind '" + kind + "'");
        };
    }
}
