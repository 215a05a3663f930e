package org.dcpserve.core.importer;

import static org.dcpserve.core.model.ModelWeights.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Imports a Hugging Face GPT-2 checkpoint directory ({@code config.json} + {@code model.safetensors})
 * into canonical {@link ModelWeights}.
 *
 * <p>Hugging Face GPT-2 uses {@code Conv1D} layers whose weights are already stored {@code [in, out]}
 * ({@code y = x·W + b}), which is the canonical layout, so nothing is transposed except the tied
 * output head. The fused {@code c_attn} projection is split into separate q, k and v.
 */
public final class HuggingFaceGpt2Importer {

    public static final String IMPORTER = "huggingface-gpt2";
    private static final String CONFIG_FILE = "config.json";
    private static final String WEIGHTS_FILE = "model.safetensors";
    /** GPT2Model checkpoints name tensors "h.0..."; GPT2LMHeadModel ones nest them under "transformer.". */
    private static final String PREFIX = "transformer.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HuggingFaceGpt2Importer() {
    }

    /** Whether {@code dir} holds a GPT-2 checkpoint this importer can try; never throws. */
    public static boolean looksLikeCheckpoint(Path dir) {
        try {
            return Files.isRegularFile(dir.resolve(WEIGHTS_FILE))
                    && "gpt2".equals(readConfig(dir).path("model_type").asString(""));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Loads the checkpoint in {@code directory}.
     *
     * @throws IOException              if a file is missing, unreadable or corrupt
     * @throws IllegalArgumentException if the checkpoint is readable but not a GPT-2 this engine can run
     *                                  (wrong model type or activation, missing tensor, wrong shape)
     */
    public static ImportedModel load(Path directory) throws IOException {
        ModelConfig config = config(directory, readConfig(directory));
        Map<String, FloatTensor> hf = new HashMap<>();
        for (Map.Entry<String, FloatTensor> entry : Safetensors.read(existing(directory, WEIGHTS_FILE)).entrySet()) {
            String name = entry.getKey();
            hf.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, entry.getValue());
        }
        return new ImportedModel(config, new Mapper(directory, config, hf).weights(), null);
    }

    private static JsonNode readConfig(Path dir) throws IOException {
        Path file = existing(dir, CONFIG_FILE);
        try {
            return JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Path existing(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "GPT-2 checkpoint has no " + name);
        }
        return file;
    }

    private static ModelConfig config(Path dir, JsonNode json) {
        String modelType = json.path("model_type").asString("");
        check(dir, modelType.equals("gpt2"), "model_type is '" + modelType + "', expected 'gpt2'");
        String activation = json.path("activation_function").asString("gelu_new");
        // The graph builder implements only the tanh approximation of GELU that GPT-2 was trained with.
        check(dir, activation.equals("gelu_new"), "activation_function '" + activation + "' is not supported, only 'gelu_new'");
        // Variants of the attention scaling that the graph builder does not implement.
        check(dir, json.path("scale_attn_weights").asBoolean(true), "scale_attn_weights=false is not supported");
        check(dir, !json.path("scale_attn_by_inverse_layer_idx").asBoolean(false), "scale_attn_by_inverse_layer_idx=true is not supported");

        int layers = intKey(dir, json, "n_layer");
        int d = intKey(dir, json, "n_embd");
        int heads = intKey(dir, json, "n_head");
        int ffn = json.hasNonNull("n_inner") ? intKey(dir, json, "n_inner") : 4 * d;
        int vocab = intKey(dir, json, "vocab_size");
        int positions = intKey(dir, json, json.has("n_positions") ? "n_positions" : "n_ctx");
        float eps = (float) json.path("layer_norm_epsilon").asDouble(1e-5);
        String source = dir.toAbsolutePath().normalize().getFileName().toString();
        try {
            return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, layers, d, heads, heads, ffn, vocab,
                    positions, eps, 0f,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.GPT2, null, Gpt2Tokenizer.EOS_ID),
                    null,
                    new ModelConfig.Provenance(source, IMPORTER, Instant.now().toString(), null));
        } catch (IllegalArgumentException e) {
            // The record's own validation does not know which checkpoint it was given.
            throw new IllegalArgumentException("GPT-2 checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int intKey(Path dir, JsonNode json, String key) {
        JsonNode value = json.path(key);
        check(dir, value.isIntegralNumber() && value.canConvertToInt(), CONFIG_FILE + " needs an integer '" + key + "'");
        return value.asInt();
    }

    private static void check(Path dir, boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("GPT-2 checkpoint " + dir + ": " + problem);
        }
    }

    /** Renames and splits the Hugging Face tensors (names without the "transformer." prefix). */
    private record Mapper(Path dir, ModelConfig config, Map<String, FloatTensor> hf) {

        ModelWeights weights() {
            int d = config.dModel();
            int ffn = config.ffnDim();
            int vocab = config.vocabSize();
            ModelWeights weights = new ModelWeights();
            FloatTensor wte = tensor("wte.weight", vocab, d);
            weights.put(ModelWeights.TOK_EMBEDDINGS, wte);
            weights.put(ModelWeights.POS_EMBEDDINGS, tensor("wpe.weight", config.contextLength(), d));
            for (int n = 0; n < config.layers(); n++) {
                String h = "h." + n + ".";
                weights.put(layer(n, "attn_norm.weight"), tensor(h + "ln_1.weight", d));
                weights.put(layer(n, "attn_norm.bias"), tensor(h + "ln_1.bias", d));
                FloatTensor qkv = tensor(h + "attn.c_attn.weight", d, 3 * d);
                FloatTensor qkvBias = tensor(h + "attn.c_attn.bias", 3 * d);
                weights.put(layer(n, "wq"), qkv.columns(0, d));
                weights.put(layer(n, "wk"), qkv.columns(d, 2 * d));
                weights.put(layer(n, "wv"), qkv.columns(2 * d, 3 * d));
                weights.put(layer(n, "bq"), qkvBias.slice(0, d));
                weights.put(layer(n, "bk"), qkvBias.slice(d, 2 * d));
                weights.put(layer(n, "bv"), qkvBias.slice(2 * d, 3 * d));
                weights.put(layer(n, "wo"), tensor(h + "attn.c_proj.weight", d, d));
                weights.put(layer(n, "bo"), tensor(h + "attn.c_proj.bias", d));
                weights.put(layer(n, "mlp_norm.weight"), tensor(h + "ln_2.weight", d));
                weights.put(layer(n, "mlp_norm.bias"), tensor(h + "ln_2.bias", d));
                weights.put(layer(n, "fc"), tensor(h + "mlp.c_fc.weight", d, ffn));
                weights.put(layer(n, "fc_bias"), tensor(h + "mlp.c_fc.bias", ffn));
                weights.put(layer(n, "proj"), tensor(h + "mlp.c_proj.weight", ffn, d));
                weights.put(layer(n, "proj_bias"), tensor(h + "mlp.c_proj.bias", d));
            }
            weights.put(ModelWeights.FINAL_NORM + ".weight", tensor("ln_f.weight", d));
            weights.put(ModelWeights.FINAL_NORM + ".bias", tensor("ln_f.bias", d));
            // GPT-2 ties the output head to the token embeddings; an untied head is [vocab, d] (nn.Linear).
            FloatTensor head = hf.containsKey("lm_head.weight") ? tensor("lm_head.weight", vocab, d) : wte;
            weights.put(ModelWeights.LM_HEAD, head.transpose());
            return weights;
        }

        private FloatTensor tensor(String name, int... shape) {
            FloatTensor tensor = hf.get(name);
            check(dir, tensor != null, WEIGHTS_FILE + " has no tensor '" + name + "'");
            check(dir, Arrays.equals(tensor.shape(), shape), "tensor '" + name + "' has shape "
                    + Arrays.toString(tensor.shape()) + ", expected " + Arrays.toString(shape));
            return tensor;
        }
    }
}
