package org.dcpserve.core.importer;

import static org.dcpserve.core.model.ModelWeights.layer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dcpserve.core.chat.GenerationConfig;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelConfig.RopeScaling;
import org.dcpserve.core.model.ModelConfig.TokenizerSpec;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;
import tools.jackson.databind.JsonNode;

/**
 * Imports a Hugging Face Llama-family checkpoint directory ({@code config.json} with {@code architectures}
 * {@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM} or {@code Qwen3ForCausalLM},
 * and {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}) into canonical
 * {@link ModelWeights} of the {@code llama} architecture.
 *
 * <p>What differs from llama2.c's Llama, and how it is carried: RoPE rotates the halves of every head
 * (Hugging Face's {@code rotate_half}; its conversion script permutes Meta's q/k weights to match), so the
 * config says {@link ModelConfig.RopeLayout#HALVES}; {@code rope_theta} and {@code rope_scaling}
 * ({@code linear}, {@code llama3}) shape the frequencies; Qwen2 has q/k/v biases; Qwen3 normalises every
 * head's q and k ({@code q_norm}, {@code k_norm}) and may set {@code head_dim} so that
 * {@code heads * head_dim != hidden_size}; {@code tie_word_embeddings} reuses the embedding as the head.
 *
 * <p>Mistral's {@code sliding_window} (and Qwen's when {@code use_sliding_window}) is honoured by capping the
 * context length at the window: within it, sliding-window attention and full causal attention are the same
 * computation, so the model runs exactly as trained, only never past the window. (Serving a longer context
 * through the engine's sliding-window pruning policy would tie a model property to a per-request policy that
 * DCP gates replace.)
 *
 * <p>Linear weights are {@code [out, in]} and are decoded straight into the canonical {@code [in, out]}
 * ({@link Safetensors.Tensors#readTransposed}). {@link #open} checks every tensor's name and shape but reads
 * none: each is decoded from the files when a graph or session asks for it, into the buffer it provides, so serving
 * or converting a checkpoint never holds the float32 weights in Java. {@link #load} reads them all into memory.
 */
public final class HuggingFaceLlamaImporter {

    public static final String IMPORTER = "huggingface-llama";
    private static final String KIND = "Llama-family";
    private static final String WEIGHTS_FILE = "model.safetensors";
    private static final String INDEX_FILE = "model.safetensors.index.json";
    /** A Hugging Face tokenizer, as shipped beside the weights. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** The {@code architectures} this importer reads, and what sets each apart. */
    private enum Family {
        LLAMA("LlamaForCausalLM"), MISTRAL("MistralForCausalLM"), QWEN2("Qwen2ForCausalLM"), QWEN3("Qwen3ForCausalLM");

        final String architecture;

        Family(String architecture) {
            this.architecture = architecture;
        }

        static Family of(HuggingFaceConfig json) {
            JsonNode architectures = json.json().path("architectures");
            String name = architectures.isArray() && architectures.size() == 1 ? architectures.get(0).asString("") : "";
            for (Family family : values()) {
                if (family.architecture.equals(name)) {
                    return family;
                }
            }
            json.check(false, HuggingFaceConfig.FILE + " field 'architectures' is " + architectures
                    + "; supported: " + Arrays.stream(values()).map(f -> f.architecture).toList()
                    + " (and GPT-2 with model_type gpt2)");
            throw new AssertionError();
        }

        /** Qwen2 always has q/k/v biases; the others only when attention_bias is set. */
        boolean qkvBias() {
            return this == QWEN2;
        }

        boolean qkNorm() {
            return this == QWEN3;
        }

        /** Qwen's tokenizers prepend no BOS; Llama's and Mistral's do. */
        boolean prependsBos() {
            return this == LLAMA || this == MISTRAL;
        }
    }

    private HuggingFaceLlamaImporter() {
    }

    /**
     * Whether {@code dir} holds a Hugging Face checkpoint config ({@code config.json} naming its
     * {@code architectures}) that this importer should try, supported or not: an unknown architecture is then
     * reported by {@link #load}. GPT-2 ({@code model_type gpt2}) is {@link HuggingFaceGpt2Importer}'s. Never throws.
     */
    public static boolean looksLikeCheckpoint(Path dir) {
        try {
            HuggingFaceConfig config = HuggingFaceConfig.read(KIND, dir);
            return config.json().has("architectures") && !config.string("model_type", "").equals("gpt2");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Loads the checkpoint in {@code directory}.
     *
     * @throws IOException              if a file is missing, unreadable or corrupt, or a tensor has a dtype other
     *                                  than F64, F32, F16 or BF16
     * @throws IllegalArgumentException if the checkpoint is readable but not one this engine can run (unknown
     *                                  architecture, unsupported option, missing tensor, wrong shape)
     */
    public static ImportedModel load(Path directory) throws IOException {
        try (StreamedCheckpoint checkpoint = open(directory)) {
            CheckpointWeights source = (CheckpointWeights) checkpoint.weights();
            ModelWeights weights = new ModelWeights();
            for (String name : source.names()) {
                weights.put(name, source.tensor(name));
            }
            return new ImportedModel(checkpoint.config(), weights, checkpoint.tokenizerFile());
        }
    }

    /**
     * Opens the checkpoint in {@code directory} without reading its weights: names and shapes are checked now, and
     * each tensor is read from the files when it is asked for (which keeps them open).
     *
     * @throws IOException              as {@link #load} does
     * @throws IllegalArgumentException as {@link #load} does
     */
    public static StreamedCheckpoint open(Path directory) throws IOException {
        HuggingFaceConfig json = HuggingFaceConfig.read(KIND, directory);
        Family family = Family.of(json);
        ModelConfig config = config(json, family);
        Path weightsFile = weightsFile(directory);
        Safetensors.Tensors tensors = Safetensors.open(weightsFile);
        try {
            CheckpointWeights weights = new CheckpointWeights(json, weightsFile, config,
                    json.bool("tie_word_embeddings", false), tensors);
            Path tokenizer = directory.resolve(TOKENIZER_FILE);
            return new StreamedCheckpoint(config, weights, Files.isRegularFile(tokenizer) ? tokenizer : null,
                    tensors.dtype(), tensors);
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /** {@code model.safetensors}, or the index of the shards when there is no single file. */
    public static Path weightsFile(Path directory) throws IOException {
        for (String name : new String[] {WEIGHTS_FILE, INDEX_FILE}) {
            if (Files.isRegularFile(directory.resolve(name))) {
                return directory.resolve(name);
            }
        }
        throw new NoSuchFileException(directory.resolve(WEIGHTS_FILE).toString(), null,
                KIND + " checkpoint has neither " + WEIGHTS_FILE + " nor " + INDEX_FILE);
    }

    private static ModelConfig config(HuggingFaceConfig json, Family family) {
        String activation = json.string("hidden_act", "silu");
        json.check(activation.equals("silu"), "hidden_act '" + activation + "' is not supported, only 'silu'");
        json.check(!json.bool("mlp_bias", false), "mlp_bias=true is not supported");
        json.check(family.qkvBias() || !json.bool("attention_bias", false), "attention_bias=true is not supported");

        int d = json.integer("hidden_size");
        int heads = json.integer("num_attention_heads");
        json.check(json.json().hasNonNull("head_dim") || d % heads == 0,
                "hidden_size " + d + " is not a multiple of num_attention_heads " + heads + " and there is no head_dim");
        int context = json.integer("max_position_embeddings");
        int window = slidingWindow(json, family);
        JsonNode eos = json.json().path("eos_token_id");
        // Llama 3.1 lists several end ids; the first is the one its generation config ends text with.
        JsonNode firstEos = eos.isArray() && !eos.isEmpty() ? eos.get(0) : eos;
        json.check(firstEos.isIntegralNumber(), HuggingFaceConfig.FILE + " needs an 'eos_token_id'");
        // Every end id, of the config and of generation_config.json (an instruct model's end of turn), stops text.
        Set<Integer> moreEos = new LinkedHashSet<>();
        eos.forEach(id -> moreEos.add(id.asInt()));
        moreEos.addAll(GenerationConfig.load(json.dir()).eosTokenIds());
        moreEos.remove(firstEos.asInt());
        Integer bos = family.prependsBos() && json.json().hasNonNull("bos_token_id") ? json.integer("bos_token_id") : null;
        String source = json.dir().toAbsolutePath().normalize().getFileName().toString();
        RopeScaling scaling = ropeScaling(json); // names the checkpoint itself when refused
        try {
            return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, json.integer("num_hidden_layers"), d,
                    heads, json.integer("num_key_value_heads", heads), json.integer("head_dim", 0),
                    json.integer("intermediate_size"), json.integer("vocab_size"), Math.min(context, window),
                    (float) json.number("rms_norm_eps", 1e-6), (float) json.number("rope_theta", 10000),
                    ModelConfig.RopeLayout.HALVES, scaling, family.qkvBias(), family.qkNorm(),
                    new TokenizerSpec(TokenizerSpec.HUGGING_FACE, bos, firstEos.asInt(), List.copyOf(moreEos)), null,
                    new ModelConfig.Provenance(source, IMPORTER, Instant.now().toString(), null));
        } catch (IllegalArgumentException e) {
            // The record's own validation does not know which checkpoint it was given.
            throw new IllegalArgumentException(KIND + " checkpoint " + json.dir() + ": " + e.getMessage(), e);
        }
    }

    /** The attention window, or {@link Integer#MAX_VALUE} when attention is not windowed. */
    private static int slidingWindow(HuggingFaceConfig json, Family family) {
        boolean windowed = switch (family) {
            case MISTRAL -> true;
            case QWEN2, QWEN3 -> json.bool("use_sliding_window", false);
            case LLAMA -> false;
        };
        return windowed ? json.integer("sliding_window", Integer.MAX_VALUE) : Integer.MAX_VALUE;
    }

    /** {@code rope_scaling} as our config carries it; null when absent or of the {@code default} type (none). */
    private static RopeScaling ropeScaling(HuggingFaceConfig json) {
        JsonNode scaling = json.json().path("rope_scaling");
        if (scaling.isMissingNode() || scaling.isNull()) {
            return null;
        }
        String type = scaling.path(scaling.has("rope_type") ? "rope_type" : "type").asString("");
        if (type.equals("default")) {
            return null;
        }
        json.check(type.equals(RopeScaling.LINEAR) || type.equals(RopeScaling.LLAMA3), HuggingFaceConfig.FILE
                + " field 'rope_scaling' has type '" + type + "'; supported: " + RopeScaling.LINEAR + ", " + RopeScaling.LLAMA3);
        HuggingFaceConfig fields = new HuggingFaceConfig(json.kind(), json.dir(), scaling);
        boolean llama3 = type.equals(RopeScaling.LLAMA3);
        return new RopeScaling(type, fields.number("factor", Double.NaN),
                llama3 ? fields.number("low_freq_factor", Double.NaN) : null,
                llama3 ? fields.number("high_freq_factor", Double.NaN) : null,
                llama3 ? fields.integer("original_max_position_embeddings") : null);
    }

    /**
     * The checkpoint's tensors under canonical names: every name and shape is checked when it is built, and a tensor
     * is read from the files when asked for.
     */
    private static final class CheckpointWeights implements WeightSource {

        /** Where a canonical tensor is stored, and whether it is a Linear weight stored [out, in]. */
        private record Stored(String name, boolean transposed, int[] shape) {
        }

        private final HuggingFaceConfig json;
        private final Path weightsFile;
        private final Safetensors.Tensors tensors;
        private final boolean tied;
        private final Map<String, Stored> stored = new LinkedHashMap<>();

        CheckpointWeights(HuggingFaceConfig json, Path weightsFile, ModelConfig config, boolean tied,
                          Safetensors.Tensors tensors) {
            this.json = json;
            this.weightsFile = weightsFile;
            this.tensors = tensors;
            this.tied = tied;
            int d = config.dModel();
            int hd = config.headDim();
            int q = config.qDim();
            int kv = config.kvDim();
            int ffn = config.ffnDim();
            int vocab = config.vocabSize();
            stored(ModelWeights.TOK_EMBEDDINGS, "model.embed_tokens.weight", vocab, d);
            for (int n = 0; n < config.layers(); n++) {
                String h = "model.layers." + n + ".";
                stored(layer(n, "attn_norm.weight"), h + "input_layernorm.weight", d);
                linear(layer(n, "wq"), h + "self_attn.q_proj.weight", q, d);
                linear(layer(n, "wk"), h + "self_attn.k_proj.weight", kv, d);
                linear(layer(n, "wv"), h + "self_attn.v_proj.weight", kv, d);
                if (config.attentionBias()) {
                    stored(layer(n, "bq"), h + "self_attn.q_proj.bias", q);
                    stored(layer(n, "bk"), h + "self_attn.k_proj.bias", kv);
                    stored(layer(n, "bv"), h + "self_attn.v_proj.bias", kv);
                }
                if (config.qkNorm()) {
                    stored(layer(n, "q_norm.weight"), h + "self_attn.q_norm.weight", hd);
                    stored(layer(n, "k_norm.weight"), h + "self_attn.k_norm.weight", hd);
                }
                linear(layer(n, "wo"), h + "self_attn.o_proj.weight", d, q);
                stored(layer(n, "mlp_norm.weight"), h + "post_attention_layernorm.weight", d);
                linear(layer(n, "w_gate"), h + "mlp.gate_proj.weight", ffn, d);
                linear(layer(n, "w_up"), h + "mlp.up_proj.weight", ffn, d);
                linear(layer(n, "w_down"), h + "mlp.down_proj.weight", d, ffn);
            }
            stored(ModelWeights.FINAL_NORM + ".weight", "model.norm.weight", d);
            // The head is [vocab, d] either way (nn.Linear, or the embedding it is tied to).
            linear(ModelWeights.LM_HEAD, tied ? "model.embed_tokens.weight" : "lm_head.weight", vocab, d);
        }

        Set<String> names() {
            return stored.keySet();
        }

        @Override
        public boolean contains(String name) {
            return stored.containsKey(name);
        }

        @Override
        public int[] shape(String name) {
            return entry(name).shape().clone();
        }

        @Override
        public void read(String name, FloatBuffer out) {
            Stored entry = entry(name);
            try {
                if (entry.transposed()) {
                    tensors.readTransposed(entry.name(), out);
                } else {
                    tensors.read(entry.name(), out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tensor '" + entry.name() + "' of " + weightsFile, e);
            }
        }

        @Override
        public void readRows(String name, long[] rows, FloatBuffer out) {
            Stored entry = entry(name);
            if (entry.transposed()) {
                throw new IllegalArgumentException("rows of '" + name + "' are columns of the stored " + entry.name());
            }
            try {
                tensors.readRows(entry.name(), rows, out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read rows of tensor '" + entry.name() + "' of " + weightsFile, e);
            }
        }

        @Override
        public boolean tiedHead() {
            return tied;
        }

        private Stored entry(String name) {
            Stored entry = stored.get(name);
            if (entry == null) {
                throw new IllegalArgumentException("missing weight tensor '" + name + "'");
            }
            return entry;
        }

        /** A tensor stored as it is used. */
        private void stored(String canonical, String name, int... shape) {
            checkShape(name, shape);
            stored.put(canonical, new Stored(name, false, shape));
        }

        /** A Linear weight stored [out, in], used as the canonical [in, out]. */
        private void linear(String canonical, String name, int out, int in) {
            checkShape(name, out, in);
            stored.put(canonical, new Stored(name, true, new int[] {in, out}));
        }

        private void checkShape(String name, int... shape) {
            json.check(tensors.contains(name), weightsFile.getFileName() + " has no tensor '" + name + "'");
            json.check(Arrays.equals(tensors.shape(name), shape), tensors.file(name).getFileName() + ": tensor '" + name
                    + "' has shape " + Arrays.toString(tensors.shape(name)) + ", expected " + Arrays.toString(shape));
        }
    }
}
