package org.dcpserve.core.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.importer.HuggingFaceLlamaImporter;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.onnx.GraphSet;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load time and peak resident memory of a Hugging Face checkpoint with Llama-3.2-1B's shape (16 layers x 2048,
 * 32 heads / 8 KV heads of 64, MLP 8192, vocabulary 128,256, tied, llama3 RoPE scaling) and random BF16 weights
 * (not a test). Writes the checkpoint (about 2.5 GB) into DIR when DIR has none, then imports it (safetensors to
 * canonical float32) and, unless {@code --import-only}, builds the graphs and ONNX Runtime sessions as serving does.
 * Peak RSS is the process's VmHWM.
 *
 * <pre>java -Xmx12g -cp ... org.dcpserve.core.bench.HfImportBenchmark DIR [--import-only]</pre>
 */
public final class HfImportBenchmark {

    private static final int LAYERS = 16;
    private static final int D = 2048;
    private static final int HEADS = 32;
    private static final int KV_HEADS = 8;
    private static final int HEAD_DIM = 64;
    private static final int FFN = 8192;
    private static final int VOCAB = 128_256;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            long start = System.nanoTime();
            write(dir);
            System.out.printf("wrote %s (%.2f GB) in %.1f s%n", dir, Files.size(dir.resolve("model.safetensors")) / 1e9,
                    (System.nanoTime() - start) / 1e9);
        }
        System.out.printf("before import: VmHWM %s, VmRSS %s%n", status("VmHWM"), status("VmRSS"));
        long start = System.nanoTime();
        ImportedModel model = HuggingFaceLlamaImporter.load(dir);
        System.out.printf("import: %.1f s, %,d parameters as float32 (%.2f GB), VmHWM %s, VmRSS %s%n",
                (System.nanoTime() - start) / 1e9, model.weights().parameterCount(),
                model.weights().parameterCount() * 4 / 1e9, status("VmHWM"), status("VmRSS"));
        if (args.length > 1 && args[1].equals("--import-only")) {
            return;
        }
        start = System.nanoTime();
        try (OnnxTransformer onnx = new OnnxTransformer(model.config().withContextLength(2048),
                GraphSet.build(model.config(), model.weights()), ExecutionProvider.CPU)) {
            System.out.printf("graphs + sessions: %.1f s, VmHWM %s, VmRSS %s%n", (System.nanoTime() - start) / 1e9,
                    status("VmHWM"), status("VmRSS"));
        }
    }

    private static String status(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }

    /** config.json and a single BF16 model.safetensors, streamed tensor by tensor. */
    private static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama").put("hidden_act", "silu").put("hidden_size", D).put("intermediate_size", FFN)
                .put("num_hidden_layers", LAYERS).put("num_attention_heads", HEADS).put("num_key_value_heads", KV_HEADS)
                .put("head_dim", HEAD_DIM).put("max_position_embeddings", 131_072).put("rms_norm_eps", 1e-5)
                .put("rope_theta", 500_000.0).put("tie_word_embeddings", true).put("vocab_size", VOCAB)
                .put("bos_token_id", 128_000).put("torch_dtype", "bfloat16");
        config.putArray("eos_token_id").add(128_001).add(128_008).add(128_009);
        config.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        Files.writeString(dir.resolve("config.json"), config.toString());

        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new int[] {VOCAB, D});
        for (int n = 0; n < LAYERS; n++) {
            String h = "model.layers." + n + ".";
            shapes.put(h + "input_layernorm.weight", new int[] {D});
            shapes.put(h + "self_attn.q_proj.weight", new int[] {HEADS * HEAD_DIM, D});
            shapes.put(h + "self_attn.k_proj.weight", new int[] {KV_HEADS * HEAD_DIM, D});
            shapes.put(h + "self_attn.v_proj.weight", new int[] {KV_HEADS * HEAD_DIM, D});
            shapes.put(h + "self_attn.o_proj.weight", new int[] {D, HEADS * HEAD_DIM});
            shapes.put(h + "post_attention_layernorm.weight", new int[] {D});
            shapes.put(h + "mlp.gate_proj.weight", new int[] {FFN, D});
            shapes.put(h + "mlp.up_proj.weight", new int[] {FFN, D});
            shapes.put(h + "mlp.down_proj.weight", new int[] {D, FFN});
        }
        shapes.put("model.norm.weight", new int[] {D});

        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, int[]> entry : shapes.entrySet()) {
            long bytes = 2L * count(entry.getValue());
            ObjectNode info = header.putObject(entry.getKey()).put("dtype", "BF16");
            for (int dim : entry.getValue()) {
                info.withArray("shape").add(dim);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(1);
        try (FileChannel out = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + headerBytes.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(headerBytes.length).put(headerBytes).flip();
            writeFully(out, prefix);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, int[]> entry : shapes.entrySet()) {
                boolean norm = entry.getValue().length == 1;
                for (long i = 0; i < count(entry.getValue()); i++) {
                    float value = (float) (norm ? 1 + random.nextDouble(-0.1, 0.1) : random.nextDouble(-0.03, 0.03));
                    chunk.putShort((short) (Float.floatToRawIntBits(value) >>> 16));
                    if (!chunk.hasRemaining()) {
                        writeFully(out, chunk.flip());
                        chunk.clear();
                    }
                }
            }
            writeFully(out, chunk.flip());
        }
    }

    private static long count(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            count *= dim;
        }
        return count;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
