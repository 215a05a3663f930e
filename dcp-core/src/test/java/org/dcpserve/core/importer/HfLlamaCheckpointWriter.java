package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dcpserve.core.model.FloatTensor;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a tiny Llama-family checkpoint in Hugging Face's exact layout ({@code config.json} with the keys
 * {@code transformers} writes, and {@code model.safetensors} or two shards with
 * {@code model.safetensors.index.json}, under the tensor names of {@code LlamaForCausalLM} and its
 * relatives) with random weights, so importer and engine tests need no downloaded model.
 *
 * <p>The weights are a pure function of the spec and the seed, already rounded to the stored dtype, so
 * {@link #tensors} is exactly what the files hold.
 */
public final class HfLlamaCheckpointWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HfLlamaCheckpointWriter() {
    }

    /**
     * One checkpoint's shape and options.
     *
     * @param architecture {@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM} or
     *                     {@code Qwen3ForCausalLM}: Qwen2 gets q/k/v biases, Qwen3 q/k norms
     * @param headDim      written as {@code head_dim} when not null; otherwise hidden / heads
     * @param ropeScaling  written as {@code rope_scaling} when not null
     * @param slidingWindow written as {@code sliding_window} when not null
     * @param dtype        F32, F16 or BF16
     * @param sharded      two shard files and an index instead of one {@code model.safetensors}
     */
    public record Spec(String architecture, int layers, int hidden, int heads, int kvHeads, Integer headDim, int ffn,
                       int vocab, int maxPositions, double ropeTheta, Map<String, Object> ropeScaling, boolean tied,
                       Integer slidingWindow, String dtype, boolean sharded) {

        public int hd() {
            return headDim != null ? headDim : hidden / heads;
        }

        public boolean qkvBias() {
            return architecture.equals("Qwen2ForCausalLM");
        }

        public boolean qkNorm() {
            return architecture.equals("Qwen3ForCausalLM");
        }

        public double rmsNormEps() {
            return 1e-6;
        }

        /** This shape with {@code rows} embedding rows (and head outputs), e.g. to fit a tokenizer. */
        public Spec withVocab(int rows) {
            return new Spec(architecture, layers, hidden, heads, kvHeads, headDim, ffn, rows, maxPositions, ropeTheta,
                    ropeScaling, tied, slidingWindow, dtype, sharded);
        }
    }

    /** Writes the checkpoint of {@code spec} into {@code dir}; returns the tensors written. */
    public static Map<String, FloatTensor> write(Path dir, Spec spec, long seed) throws IOException {
        Map<String, FloatTensor> tensors = tensors(spec, seed);
        write(dir, spec, tensors);
        return tensors;
    }

    /** Writes {@code spec}'s config and exactly {@code tensors} (e.g. with one left out) into {@code dir}. */
    public static void write(Path dir, Spec spec, Map<String, FloatTensor> tensors) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config(spec)));
        if (!spec.sharded()) {
            SafetensorsFiles.write(dir.resolve("model.safetensors"), tensors, spec.dtype());
            return;
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode index = JSON.createObjectNode();
        long bytesPerValue = spec.dtype().equals("F32") ? 4 : 2;
        index.putObject("metadata").put("total_size", tensors.values().stream().mapToLong(t -> bytesPerValue * t.data().length).sum());
        ObjectNode weightMap = index.putObject("weight_map");
        for (int shard = 0; shard < 2; shard++) {
            String file = "model-%05d-of-00002.safetensors".formatted(shard + 1);
            Map<String, FloatTensor> part = new LinkedHashMap<>();
            for (String name : names.subList(shard * names.size() / 2, (shard + 1) * names.size() / 2)) {
                part.put(name, tensors.get(name));
                weightMap.put(name, file);
            }
            SafetensorsFiles.write(dir.resolve(file), part, spec.dtype());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index));
    }

    /** {@code config.json} as {@code transformers} writes it for {@code spec}. */
    public static ObjectNode config(Spec spec) {
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add(spec.architecture());
        config.put("model_type", spec.architecture().replace("ForCausalLM", "").toLowerCase())
                .put("hidden_act", "silu")
                .put("hidden_size", spec.hidden())
                .put("intermediate_size", spec.ffn())
                .put("num_hidden_layers", spec.layers())
                .put("num_attention_heads", spec.heads())
                .put("num_key_value_heads", spec.kvHeads())
                .put("max_position_embeddings", spec.maxPositions())
                .put("rms_norm_eps", spec.rmsNormEps())
                .put("rope_theta", spec.ropeTheta())
                .put("tie_word_embeddings", spec.tied())
                .put("vocab_size", spec.vocab())
                .put("bos_token_id", 1)
                .put("eos_token_id", 2)
                .put("torch_dtype", spec.dtype().equals("BF16") ? "bfloat16" : spec.dtype().equals("F16") ? "float16" : "float32");
        if (spec.headDim() != null) {
            config.put("head_dim", spec.headDim());
        }
        if (spec.ropeScaling() != null) {
            config.set("rope_scaling", JSON.valueToTree(spec.ropeScaling()));
        } else {
            config.putNull("rope_scaling");
        }
        if (spec.architecture().startsWith("Qwen")) {
            config.put("use_sliding_window", spec.slidingWindow() != null);
        }
        if (spec.slidingWindow() != null) {
            config.put("sliding_window", spec.slidingWindow());
        } else if (spec.architecture().startsWith("Mistral")) {
            config.putNull("sliding_window");
        }
        return config;
    }

    /** The tensors {@link #write} stores, under their Hugging Face names, in file order. */
    public static Map<String, FloatTensor> tensors(Spec spec, long seed) {
        Random random = new Random(seed);
        int d = spec.hidden();
        int q = spec.heads() * spec.hd();
        int kv = spec.kvHeads() * spec.hd();
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", random(random, spec, 0, 1, spec.vocab(), d));
        for (int n = 0; n < spec.layers(); n++) {
            String h = "model.layers." + n + ".";
            t.put(h + "input_layernorm.weight", random(random, spec, 1, 0.2, d));
            t.put(h + "self_attn.q_proj.weight", random(random, spec, 0, 2 / Math.sqrt(d), q, d));
            t.put(h + "self_attn.k_proj.weight", random(random, spec, 0, 2 / Math.sqrt(d), kv, d));
            t.put(h + "self_attn.v_proj.weight", random(random, spec, 0, 1 / Math.sqrt(d), kv, d));
            if (spec.qkvBias()) {
                t.put(h + "self_attn.q_proj.bias", random(random, spec, 0, 0.2, q));
                t.put(h + "self_attn.k_proj.bias", random(random, spec, 0, 0.2, kv));
                t.put(h + "self_attn.v_proj.bias", random(random, spec, 0, 0.2, kv));
            }
            if (spec.qkNorm()) {
                t.put(h + "self_attn.q_norm.weight", random(random, spec, 1, 0.2, spec.hd()));
                t.put(h + "self_attn.k_norm.weight", random(random, spec, 1, 0.2, spec.hd()));
            }
            t.put(h + "self_attn.o_proj.weight", random(random, spec, 0, 1 / Math.sqrt(q), d, q));
            t.put(h + "post_attention_layernorm.weight", random(random, spec, 1, 0.2, d));
            t.put(h + "mlp.gate_proj.weight", random(random, spec, 0, 1 / Math.sqrt(d), spec.ffn(), d));
            t.put(h + "mlp.up_proj.weight", random(random, spec, 0, 1 / Math.sqrt(d), spec.ffn(), d));
            t.put(h + "mlp.down_proj.weight", random(random, spec, 0, 1 / Math.sqrt(spec.ffn()), d, spec.ffn()));
        }
        t.put("model.norm.weight", random(random, spec, 1, 0.2, d));
        if (!spec.tied()) {
            t.put("lm_head.weight", random(random, spec, 0, 1 / Math.sqrt(d), spec.vocab(), d));
        }
        return t;
    }

    private static FloatTensor random(Random random, Spec spec, double mean, double std, int... shape) {
        FloatTensor tensor = FloatTensor.zeros(shape);
        float[] data = tensor.data();
        for (int i = 0; i < data.length; i++) {
            float value = (float) (mean + std * random.nextGaussian());
            data[i] = switch (spec.dtype()) {
                case "BF16" -> SafetensorsFiles.toBfloat16(value);
                case "F16" -> Float.float16ToFloat(Float.floatToFloat16(value));
                default -> value;
            };
        }
        return tensor;
    }
}
