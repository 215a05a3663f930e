package org.dcpserve.train.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.importer.HuggingFaceGpt2Importer;
import org.dcpserve.core.importer.HuggingFaceLlamaImporter;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * The model a fine-tune starts from, in canonical form: a model package, a llama2.c checkpoint
 * (tokenizer beside it), a Hugging Face GPT-2 directory or a Hugging Face Llama-family directory (Llama,
 * Mistral, Qwen2, Qwen3), the things ModelLoader accepts, read by the same importers.
 *
 * @param name          the file or directory name, recorded as the provenance source
 * @param config        architecture, sizes, tokenizer (and gates, when the base already has some)
 * @param weights       canonical weights
 * @param tokenizerFile the tokenizer file to copy into the exported package, or null (gpt2 BPE); a Hugging Face
 *                      tokenizer.json brings its companion files (tokenizer_config.json, the chat template,
 *                      generation_config.json) from beside it, as ModelPackage.write copies them
 */
public record BaseModel(String name, ModelConfig config, ModelWeights weights, Path tokenizerFile) {

    public static BaseModel load(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("base model not found: " + path.toAbsolutePath().normalize());
        }
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isDirectory(path) && ModelPackage.isPackage(path)) {
            ModelConfig config = ModelPackage.readConfig(path);
            Path tokenizer = ModelPackage.tokenizerFile(config, path);
            return new BaseModel(name, config, ModelPackage.readWeights(path),
                    tokenizer != null && Files.isRegularFile(tokenizer) ? tokenizer : null);
        }
        if (Files.isDirectory(path) && HuggingFaceGpt2Importer.looksLikeCheckpoint(path)) {
            return of(name, HuggingFaceGpt2Importer.load(path));
        }
        if (Files.isDirectory(path) && HuggingFaceLlamaImporter.looksLikeCheckpoint(path)) {
            return of(name, HuggingFaceLlamaImporter.load(path));
        }
        if (Files.isRegularFile(path) && Llama2cImporter.looksLikeCheckpoint(path)) {
            return of(name, Llama2cImporter.load(path));
        }
        throw new IOException(path + " is neither a model package (directory with config.json), a Hugging Face"
                + " directory (config.json + model.safetensors) nor a llama2.c checkpoint");
    }

    private static BaseModel of(String name, ImportedModel model) {
        return new BaseModel(name, model.config(), model.weights(), model.tokenizerFile());
    }

    /** The base's tokenizer; a base without its tokenizer file fails with a one-line message. */
    public Tokenizer tokenizer() throws IOException {
        if (tokenizerFile == null && ModelConfig.TokenizerSpec.HUGGING_FACE.equals(config.tokenizer().kind())) {
            throw new IOException("base model " + name + " has no " + HuggingFaceLlamaImporter.TOKENIZER_FILE
                    + ", which --data is tokenized with");
        }
        return ModelLoader.tokenizer(config, tokenizerFile);
    }
}
