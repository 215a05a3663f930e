package org.dcpserve.core.model;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.onnx.TransformerGraphs;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model package: a directory holding {@code config.json}, the tokenizer file (if the tokenizer
 * needs one; its name depends on the tokenizer kind, see {@link #tokenizerFile}) and the ONNX
 * sub-graphs, with the weights inside them as named initializers. This class is the one place that
 * knows the layout.
 */
public final class ModelPackage {

    public static final String CONFIG_FILE = "config.json";
    /** The tokenizer file of a {@code llama2c} tokenizer (llama2.c's own format). */
    public static final String LLAMA2C_TOKENIZER_FILE = "tokenizer.bin";
    /** The tokenizer file of a {@code bpe} tokenizer ({@link org.dcpserve.core.tokenizer.BpeTokenizer}'s format). */
    public static final String BPE_TOKENIZER_FILE = "tokenizer.json";
    /** The tokenizer file of a {@code huggingface} tokenizer: Hugging Face's own {@code tokenizer.json}, copied as it is. */
    public static final String HUGGING_FACE_TOKENIZER_FILE = "tokenizer.json";
    /**
     * What a Hugging Face directory keeps beside {@code tokenizer.json} that serving it needs, copied into a package
     * where present: special tokens and the chat template, the template as a file of its own, generation defaults.
     */
    public static final List<String> HUGGING_FACE_COMPANION_FILES =
            List.of("tokenizer_config.json", "chat_template.jinja", "generation_config.json");

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ModelPackage() {
    }

    /** True when {@code directory} holds a model package (a config.json with a format_version). */
    public static boolean isPackage(Path directory) {
        Path config = directory.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            return JSON.readTree(config.toFile()).has("format_version");
        } catch (JacksonException e) {
            return false;
        }
    }

    /**
     * Where the tokenizer file of a package with {@code config} lives in {@code directory}, or null when
     * its tokenizer kind needs no file ({@code gpt2}) or is unknown.
     */
    public static Path tokenizerFile(ModelConfig config, Path directory) {
        String name = switch (config.tokenizer().kind()) {
            case ModelConfig.TokenizerSpec.LLAMA2C -> LLAMA2C_TOKENIZER_FILE;
            case ModelConfig.TokenizerSpec.BPE -> BPE_TOKENIZER_FILE;
            case ModelConfig.TokenizerSpec.HUGGING_FACE -> HUGGING_FACE_TOKENIZER_FILE;
            default -> null;
        };
        return name == null ? null : directory.resolve(name);
    }

    /**
     * Writes config, tokenizer and graphs into {@code directory} (created if needed). The tokenizer file
     * (null when the kind needs none) is copied under the name its kind uses in a package.
     */
    public static void write(Path directory, ModelConfig config, WeightSource weights, Path tokenizerFile)
            throws IOException {
        Path target = tokenizerFile(config, directory);
        if (tokenizerFile != null && target == null) {
            throw new IllegalArgumentException("tokenizer kind '" + config.tokenizer().kind()
                    + "' takes no tokenizer file, but " + tokenizerFile + " was given");
        }
        Files.createDirectories(directory);
        writeConfig(directory, config);
        if (tokenizerFile != null) {
            Files.copy(tokenizerFile, target, StandardCopyOption.REPLACE_EXISTING);
            if (ModelConfig.TokenizerSpec.HUGGING_FACE.equals(config.tokenizer().kind())) {
                for (String name : HUGGING_FACE_COMPANION_FILES) {
                    Path companion = tokenizerFile.toAbsolutePath().resolveSibling(name);
                    if (Files.isRegularFile(companion)) {
                        Files.copy(companion, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        TransformerGraphs graphs = new TransformerGraphs(config, weights);
        Files.write(directory.resolve(GraphSet.embeddingFile()), graphs.embedding().toByteArray());
        Files.write(directory.resolve(GraphSet.attentionFile()), TransformerGraphs.attention(config).toByteArray());
        for (int layer = 0; layer < config.layers(); layer++) {
            Files.write(directory.resolve(GraphSet.projectionFile(layer)), graphs.projection(layer).toByteArray());
            Files.write(directory.resolve(GraphSet.outputFile(layer)), graphs.output(layer).toByteArray());
        }
        Files.write(directory.resolve(GraphSet.headFile()), graphs.head().toByteArray());
    }

    /**
     * The graphs of a package, whatever its format. A format-1 package cut attention and the MLP into one graph
     * per layer, which cannot be batched; its weights are read from those graphs and the current graphs built in
     * memory. A format-2 package differs only in its weight-free attention graph (over slot-major caches), which
     * is built from the config.
     */
    public static GraphSet graphs(Path directory, ModelConfig config) throws IOException {
        // Format 3's graph files are those of 4: only the config gained fields, whose defaults describe them.
        return switch (config.formatVersion()) {
            case 1 -> GraphSet.build(config, readWeights(directory));
            case 2 -> GraphSet.inDirectory(directory).withAttention(TransformerGraphs.attention(config).toByteArray());
            default -> GraphSet.inDirectory(directory);
        };
    }

    /** Rewrites an older package in place in the current format (same weights); returns whether it did. */
    public static boolean migrate(Path directory) throws IOException {
        ModelConfig config = readConfig(directory);
        if (config.formatVersion() == ModelConfig.FORMAT_VERSION) {
            return false;
        }
        ModelConfig current = config.withFormatVersion(ModelConfig.FORMAT_VERSION);
        if (config.formatVersion() == 3) {
            // The graphs stay; the config is written with the new fields at the values a format-3 config implies.
            writeConfig(directory, current);
            return true;
        }
        if (config.formatVersion() == 2) {
            // Only the attention graph changed (it has no weights): the weight files stay as they are.
            Files.write(directory.resolve(GraphSet.attentionFile()), TransformerGraphs.attention(current).toByteArray());
            writeConfig(directory, current);
            return true;
        }
        ModelWeights weights = readWeights(directory);
        List<Path> old = formatOneLayerFiles(directory, config);
        write(directory, current, weights, null);
        for (Path file : old) {
            Files.deleteIfExists(file);
        }
        return true;
    }

    /** Replaces a package's config.json, e.g. to record evaluation results in its provenance. */
    public static void writeConfig(Path directory, ModelConfig config) throws IOException {
        Files.writeString(directory.resolve(CONFIG_FILE), JSON.writeValueAsString(config) + "\n");
    }

    public static ModelConfig readConfig(Path directory) throws IOException {
        Path file = directory.resolve(CONFIG_FILE);
        try {
            ModelConfig config = JSON.treeToValue(withFormatThreeDefaults(JSON.readTree(file.toFile())), ModelConfig.class);
            if (config.formatVersion() < 1 || config.formatVersion() > ModelConfig.FORMAT_VERSION) {
                throw new IOException(file + ": format_version " + config.formatVersion()
                        + " is not supported (this build reads 1 to " + ModelConfig.FORMAT_VERSION + ")");
            }
            return config;
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException(file + ": not a valid model config: " + e.getMessage(), e);
        }
    }

    /**
     * A config written before format 4 has no {@code head_dim}, {@code attention_bias} or {@code qk_norm}; they get
     * the values that describe those models (0: {@code d_model / heads}; no biases or norms), as JSON, because a
     * missing primitive is an error when binding (rightly so for the fields every format has).
     */
    private static JsonNode withFormatThreeDefaults(JsonNode json) {
        if (json instanceof ObjectNode object && object.path("format_version").asInt(0) < 4) {
            if (!object.has("head_dim")) {
                object.put("head_dim", 0);
            }
            if (!object.has("attention_bias")) {
                object.put("attention_bias", false);
            }
            if (!object.has("qk_norm")) {
                object.put("qk_norm", false);
            }
        }
        return json;
    }

    public static String toJson(ModelConfig config) {
        return JSON.writeValueAsString(config);
    }

    /** The weights stored in a package's graphs, under their canonical names (for fine-tuning and inspection). */
    public static ModelWeights readWeights(Path directory) throws IOException {
        ModelConfig config = readConfig(directory);
        List<Path> files = new ArrayList<>(List.of(directory.resolve(GraphSet.embeddingFile()),
                directory.resolve(GraphSet.headFile())));
        for (int layer = 0; layer < config.layers(); layer++) {
            files.add(directory.resolve(GraphSet.projectionFile(layer)));
            if (config.formatVersion() > 1) {
                files.add(directory.resolve(GraphSet.outputFile(layer)));
            }
        }
        if (config.formatVersion() == 1) {
            files.addAll(formatOneLayerFiles(directory, config));
        }
        ModelWeights weights = new ModelWeights();
        for (Path file : files) {
            OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
            for (OnnxMl.TensorProto tensor : model.getGraph().getInitializerList()) {
                if (isCanonical(tensor.getName())) {
                    weights.put(tensor.getName(), toFloatTensor(tensor));
                }
            }
        }
        return weights;
    }

    /** Format 1's per-layer attention + MLP graphs, which carried the output projection and MLP weights. */
    private static List<Path> formatOneLayerFiles(Path directory, ModelConfig config) {
        List<Path> files = new ArrayList<>();
        for (int layer = 0; layer < config.layers(); layer++) {
            files.add(directory.resolve("layer_%02d_attn.onnx".formatted(layer)));
        }
        return files;
    }

    private static boolean isCanonical(String name) {
        return name.startsWith("layers.") || name.equals(ModelWeights.TOK_EMBEDDINGS)
                || name.equals(ModelWeights.POS_EMBEDDINGS) || name.startsWith(ModelWeights.FINAL_NORM + ".")
                || name.equals(ModelWeights.LM_HEAD);
    }

    private static FloatTensor toFloatTensor(OnnxMl.TensorProto tensor) {
        int[] shape = tensor.getDimsList().stream().mapToInt(Long::intValue).toArray();
        ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[raw.remaining() / Float.BYTES];
        raw.asFloatBuffer().get(data);
        return new FloatTensor(data, shape);
    }
}
