package org.dcpserve.core.importer;

import static org.dcpserve.core.model.ModelWeights.layer;

import java.io.IOException;
import java.nio.file.Files;
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
    private static final String KIND = "GPT-2";
    public static final String WEIGHTS_FILE = "model.safetensors";
    /** GPT2Model checkpoints name tensors "h.0..."; GPT2LMHeadModel ones nest them under "transformer.". */
    private static final String PREFIX = "transformer.";

    private HuggingFaceGpt2Importer() {
    }

    /** Whether {@code dir} holds a GPT-2 checkpoint this importer can try; never throws. */
    public static boolean looksLikeCheckpoint(Path dir) {
        try {
            return Files.isRegularFile(dir.resolve(WEIGHTS_FILE))
                    && "gpt2".equals(HuggingFaceConfig.read(KIND, dir).string("model_type", ""));
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
        HuggingFaceConfig json = HuggingFaceConfig.read(KIND, directory);
        ModelConfig config = config(json);
        Map<String, FloatTensor> hf = new HashMap<>();
        for (Map.Entry<String, FloatTensor> entry : Safetensors.read(HuggingFaceConfig.existing(KIND, directory, WEIGHTS_FILE)).entrySet()) {
            String name = entry.getKey();
            hf.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, entry.getValue());
        }
        return new ImportedModel(config, new Mapper(json, config, hf).weights(), null);
    }

    private static ModelConfig config(HuggingFaceConfig json) {
        String modelType = json.string("model_type", "");
        json.check(modelType.equals("gpt2"), "model_type is '" + modelType + "', expected 'gpt2'");
        String activation = json.string("activation_function", "gelu_new");
        // The graph builder implements only the tanh approximation of GELU that GPT-2 was trained with.
        json.check(activation.equals("gelu_new"), "activation_function '" + activation + "' is not supported, only 'gelu_new'");
        // Variants of the attention scaling that the graph builder does not implement.
        json.check(json.bool("scale_attn_weights", true), "scale_attn_weights=false is not supported");
        json.check(!json.bool("scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx=true is not supported");

        int layers = json.integer("n_layer");
        int d = json.integer("n_embd");
        int heads = json.integer("n_head");
        int ffn = json.integer("n_inner", 4 * d);
        int vocab = json.integer("vocab_size");
        int positions = json.integer(json.json().has("n_positions") ? "n_positions" : "n_ctx");
        float eps = (float) json.number("layer_norm_epsilon", 1e-5);
        String source = json.dir().toAbsolutePath().normalize().getFileName().toString();
        try {
            return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, layers, d, heads, heads, ffn, vocab,
                    positions, eps, 0f,
                    new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.GPT2, null, Gpt2Tokenizer.EOS_ID),
                    null,
                    new ModelConfig.Provenance(source, IMPORTER, Instant.now().toString(), null));
        } catch (IllegalArgumentException e) {
            // The record's own validation does not know which checkpoint it was given.
            throw new IllegalArgumentException("GPT-2 checkpoint " + json.dir() + ": " + e.getMessage(), e);
        }
    }

    /** Renames and splits the Hugging Face tensors (names without the "transformer." prefix). */
    private record Mapper(HuggingFaceConfig json, ModelConfig config, Map<String, FloatTensor> hf) {

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
            json.check(tensor != null, WEIGHTS_FILE + " has no tensor '" + name + "'");
            json.check(Arrays.equals(tensor.shape(), shape), "tensor '" + name + "' has shape "
                    + Arrays.toString(tensor.shape()) + ", expected " + Arrays.toString(shape));
            return tensor;
        }
    }
}
