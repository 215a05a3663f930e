package org.dcpserve.core.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.chat.ChatTemplate;
import org.dcpserve.core.chat.GenerationConfig;
import org.dcpserve.core.chat.jinja.TemplateException;
import org.dcpserve.core.importer.HuggingFaceGpt2Importer;
import org.dcpserve.core.importer.HuggingFaceLlamaImporter;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.importer.Safetensors;
import org.dcpserve.core.importer.StreamedCheckpoint;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.tokenizer.BpeTokenizer;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.dcpserve.core.tokenizer.Llama2cTokenizer;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * Resolves one path to a servable model: a model package directory, a llama2.c checkpoint (tokenizer
 * beside it), a Hugging Face GPT-2 directory or a Hugging Face Llama-family directory (Llama, Mistral,
 * Qwen2, Qwen3). Checkpoints are imported and their graphs built in memory. A directory's chat template and
 * {@code generation_config.json} come along (a package imported from a Hugging Face directory copies them).
 */
public final class ModelLoader {

    /** A package's graphs hold float32 weights, whatever the checkpoint it was imported from stored. */
    private static final String PACKAGE_DTYPE = "float32";

    private ModelLoader() {
    }

    /**
     * How a model is loaded for serving.
     *
     * @param maxContext the most positions (prompt + generated) a sequence may have, whatever the model was
     *                   trained for: KV caches are sized by the smaller of the two (the server's {@code dcp.max-context})
     */
    public record Options(int maxContext) {
        /** The model's own context length. */
        public static final Options DEFAULTS = new Options(Integer.MAX_VALUE);

        public Options {
            if (maxContext < 1) {
                throw new IllegalArgumentException("max context must be positive, got " + maxContext);
            }
        }
    }

    public static ModelSource load(Path path) throws IOException {
        return load(path, Options.DEFAULTS);
    }

    public static ModelSource load(Path path, Options options) throws IOException {
        requireExists(path);
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isDirectory(path) && ModelPackage.isPackage(path)) {
            ModelConfig config = ModelPackage.readConfig(path);
            return new ModelSource(name, ModelSource.Kind.MODEL_PACKAGE, capped(config, options),
                    tokenizer(config, ModelPackage.tokenizerFile(config, path)), ModelPackage.graphs(path, config),
                    PACKAGE_DTYPE, chatTemplate(path), GenerationConfig.load(path));
        }
        if (Files.isDirectory(path) && HuggingFaceGpt2Importer.looksLikeCheckpoint(path)) {
            return imported(name, ModelSource.Kind.HUGGING_FACE_GPT2, HuggingFaceGpt2Importer.load(path), options,
                    path.resolve(HuggingFaceGpt2Importer.WEIGHTS_FILE));
        }
        if (Files.isDirectory(path) && HuggingFaceLlamaImporter.looksLikeCheckpoint(path)) {
            // Read from the files as each session is built (which keeps them open): never a full copy in Java.
            StreamedCheckpoint checkpoint = HuggingFaceLlamaImporter.open(path);
            return new ModelSource(name, ModelSource.Kind.HUGGING_FACE_LLAMA, capped(checkpoint.config(), options),
                    tokenizer(checkpoint.config(), checkpoint.tokenizerFile()),
                    GraphSet.build(checkpoint.config(), checkpoint.weights()),
                    checkpoint.storedDtype(), chatTemplate(path), GenerationConfig.load(path));
        }
        if (Files.isRegularFile(path) && Llama2cImporter.looksLikeCheckpoint(path)) {
            ImportedModel model = Llama2cImporter.load(path);
            return new ModelSource(name, ModelSource.Kind.LLAMA2C_CHECKPOINT, capped(model.config(), options),
                    tokenizer(model.config(), model.tokenizerFile()), GraphSet.build(model.config(), model.weights()),
                    "float32", null, GenerationConfig.NONE);
        }
        throw new IOException(path + " is neither a model package (directory with config.json), a Hugging Face"
                + " directory (config.json + model.safetensors) nor a llama2.c checkpoint");
    }

    /**
     * Imports a checkpoint and writes it as a model package (with the model's own context length). A Hugging Face
     * Llama-family checkpoint is read graph by graph as the package is written, never whole.
     */
    public static ModelConfig importToPackage(Path checkpoint, Path packageDirectory) throws IOException {
        requireExists(checkpoint);
        if (Files.isDirectory(checkpoint) && HuggingFaceLlamaImporter.looksLikeCheckpoint(checkpoint)) {
            try (StreamedCheckpoint model = HuggingFaceLlamaImporter.open(checkpoint)) {
                ModelPackage.write(packageDirectory, model.config(), model.weights(), model.tokenizerFile());
                return model.config();
            }
        }
        ImportedModel model = importCheckpoint(checkpoint);
        ModelPackage.write(packageDirectory, model.config(), model.weights(), model.tokenizerFile());
        return model.config();
    }

    /** Imports a llama2.c checkpoint file or a Hugging Face directory (GPT-2 or Llama family). */
    public static ImportedModel importCheckpoint(Path checkpoint) throws IOException {
        if (!Files.isDirectory(checkpoint)) {
            return Llama2cImporter.load(checkpoint);
        }
        return HuggingFaceLlamaImporter.looksLikeCheckpoint(checkpoint)
                ? HuggingFaceLlamaImporter.load(checkpoint)
                : HuggingFaceGpt2Importer.load(checkpoint);
    }

    private static void requireExists(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("model not found: " + path.toAbsolutePath().normalize());
        }
    }

    /** A Hugging Face directory imported in memory; {@code weightsFile} is the safetensors file (or index) read. */
    private static ModelSource imported(String name, ModelSource.Kind kind, ImportedModel model, Options options,
                                        Path weightsFile) throws IOException {
        Path dir = weightsFile.getParent();
        return new ModelSource(name, kind, capped(model.config(), options), tokenizer(model.config(), model.tokenizerFile()),
                GraphSet.build(model.config(), model.weights()), storedDtype(weightsFile), chatTemplate(dir),
                GenerationConfig.load(dir));
    }

    /** The dtype most of a safetensors file's (or index's) elements are stored in; reads only the headers. */
    private static String storedDtype(Path weightsFile) throws IOException {
        try (Safetensors.Tensors tensors = Safetensors.open(weightsFile)) {
            return tensors.dtype();
        }
    }

    /** The directory's chat template, or null for none; one that does not parse fails the load, naming the directory. */
    private static ChatTemplate chatTemplate(Path dir) throws IOException {
        try {
            return ChatTemplate.find(dir).orElse(null);
        } catch (TemplateException e) {
            throw new IOException("the chat template of " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The config the engine sees: the graphs do not depend on the context length, only the caches do. */
    private static ModelConfig capped(ModelConfig config, Options options) {
        return config.contextLength() > options.maxContext() ? config.withContextLength(options.maxContext()) : config;
    }

    /**
     * The tokenizer a config names; {@code file} is where a file-based tokenizer lives (ignored, and may
     * be null, for {@code gpt2}). A {@code bpe} tokenizer must have exactly the model's vocabulary, so a
     * package with the wrong {@code tokenizer.json} fails here rather than producing nonsense.
     */
    public static Tokenizer tokenizer(ModelConfig config, Path file) throws IOException {
        String kind = config.tokenizer().kind();
        if (file == null && (ModelConfig.TokenizerSpec.LLAMA2C.equals(kind) || ModelConfig.TokenizerSpec.BPE.equals(kind)
                || ModelConfig.TokenizerSpec.HUGGING_FACE.equals(kind))) {
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
            case ModelConfig.TokenizerSpec.HUGGING_FACE -> huggingFaceTokenizer(file);
            default -> throw new IOException("unknown tokenizer kind '" + kind + "'");
        };
    }

    /**
     * The tokenizer of a Llama-family checkpoint directory, or of a package imported from one: Hugging Face's
     * {@code tokenizer.json} with the {@code tokenizer_config.json} beside it.
     */
    private static Tokenizer huggingFaceTokenizer(Path file) throws IOException {
        return HuggingFaceTokenizer.load(file.toAbsolutePath().getParent());
    }
}
