package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.dcpserve.core.model.FloatTensor;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a tiny GPT-2 checkpoint in Hugging Face layout ({@code config.json} + {@code model.safetensors})
 * with random weights, so importer and engine tests need no downloaded model.
 *
 * <p>The weights are a pure function of the sizes and the seed: {@link #tensors} returns exactly what
 * {@link #write} stores. All values are representable in float16, so the F16 variant holds the same
 * numbers as the F32 one.
 */
public final class HfGpt2CheckpointWriter {

    private HfGpt2CheckpointWriter() {
    }

    /** An F32 checkpoint with unprefixed names ("h.0.ln_1.weight"), like the {@code gpt2} repository on the Hub. */
    public static Path write(Path dir, int layers, int heads, int d, int positions, int vocab, long seed) throws IOException {
        return write(dir, layers, heads, d, positions, vocab, seed, false, false);
    }

    /**
     * @param transformerPrefix name tensors "transformer.h.0..." as a saved {@code GPT2LMHeadModel} does
     * @param f16               store the weights as F16 instead of F32
     */
    public static Path write(Path dir, int layers, int heads, int d, int positions, int vocab, long seed,
                             boolean transformerPrefix, boolean f16) throws IOException {
        Files.createDirectories(dir);
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode config = json.createObjectNode()
                .put("model_type", "gpt2")
                .put("activation_function", "gelu_new")
                .put("n_layer", layers)
                .put("n_head", heads)
                .put("n_embd", d)
                .put("n_positions", positions)
                .put("n_ctx", positions)
                .put("vocab_size", vocab)
                .put("layer_norm_epsilon", 1e-5)
                .putNull("n_inner");
        config.putArray("architectures").add("GPT2LMHeadModel");
        Files.writeString(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(config));

        Map<String, FloatTensor> stored = new LinkedHashMap<>();
        tensors(layers, d, positions, vocab, seed).forEach((name, t) -> stored.put(transformerPrefix ? "transformer." + name : name, t));
        Path file = dir.resolve("model.safetensors");
        if (f16) {
            SafetensorsFiles.write(file, stored, "F16");
        } else {
            Safetensors.write(file, stored);
        }
        return dir;
    }

    /** The tensors {@link #write} stores, under their unprefixed Hugging Face names, in file order. */
    public static Map<String, FloatTensor> tensors(int layers, int d, int positions, int vocab, long seed) {
        Random random = new Random(seed);
        int ffn = 4 * d;
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        t.put("wte.weight", random(random, 0, 0.5, vocab, d));
        t.put("wpe.weight", random(random, 0, 0.1, positions, d));
        for (int n = 0; n < layers; n++) {
            String h = "h." + n + ".";
            t.put(h + "ln_1.weight", random(random, 1, 0.1, d));
            t.put(h + "ln_1.bias", random(random, 0, 0.1, d));
            // Non-persistent buffers that older transformers versions saved; the importer must skip them.
            t.put(h + "attn.bias", causalMask(positions));
            t.put(h + "attn.masked_bias", new FloatTensor(new float[] {-1e4f}));
            t.put(h + "attn.c_attn.weight", random(random, 0, 0.3, d, 3 * d));
            t.put(h + "attn.c_attn.bias", random(random, 0, 0.1, 3 * d));
            t.put(h + "attn.c_proj.weight", random(random, 0, 0.3, d, d));
            t.put(h + "attn.c_proj.bias", random(random, 0, 0.1, d));
            t.put(h + "ln_2.weight", random(random, 1, 0.1, d));
            t.put(h + "ln_2.bias", random(random, 0, 0.1, d));
            t.put(h + "mlp.c_fc.weight", random(random, 0, 0.3, d, ffn));
            t.put(h + "mlp.c_fc.bias", random(random, 0, 0.1, ffn));
            t.put(h + "mlp.c_proj.weight", random(random, 0, 0.3, ffn, d));
            t.put(h + "mlp.c_proj.bias", random(random, 0, 0.1, d));
        }
        t.put("ln_f.weight", random(random, 1, 0.1, d));
        t.put("ln_f.bias", random(random, 0, 0.1, d));
        return t;
    }

    private static FloatTensor random(Random random, double mean, double std, int... shape) {
        FloatTensor tensor = FloatTensor.zeros(shape);
        float[] data = tensor.data();
        for (int i = 0; i < data.length; i++) {
            data[i] = Float.float16ToFloat(Float.floatToFloat16((float) (mean + std * random.nextGaussian())));
        }
        return tensor;
    }

    private static FloatTensor causalMask(int positions) {
        FloatTensor mask = FloatTensor.zeros(1, 1, positions, positions);
        for (int row = 0; row < positions; row++) {
            for (int col = 0; col <= row; col++) {
                mask.data()[row * positions + col] = 1;
            }
        }
        return mask;
    }
}
