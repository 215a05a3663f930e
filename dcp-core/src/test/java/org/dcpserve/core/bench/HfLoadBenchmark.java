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
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.pruning.DensePolicy;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load time and resident memory of a Hugging Face checkpoint at a real shape with random BF16 weights, loaded as
 * serving loads it (not a test): {@code ModelLoader.load} (context capped at 2048, as {@code dcp.max-context}
 * would), then the ONNX Runtime sessions, then a 4-token prompt through them. Writes the checkpoint into DIR when
 * DIR has none. Prints VmHWM (peak RSS) and VmRSS after each phase, and VmRSS after a full GC (steady state).
 *
 * <ul>
 *   <li>{@code llama3.2-1b}: 16 layers x 2048, 32 heads / 8 KV heads of 64, MLP 8192, vocabulary 128,256, tied,
 *       llama3 RoPE scaling (2.5 GB of BF16);</li>
 *   <li>{@code qwen2.5-0.5b}: 24 layers x 896, 14 heads / 2 KV heads of 64, MLP 4864, vocabulary 151,936, tied,
 *       q/k/v biases (1.0 GB of BF16).</li>
 * </ul>
 *
 * <pre>java -cp ... org.dcpserve.core.bench.HfLoadBenchmark DIR llama3.2-1b|qwen2.5-0.5b</pre>
 */
public final class HfLoadBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A checkpoint shape and the config.json fields that describe it. */
    private record Shape(String architecture, String modelType, int layers, int d, int heads, int kvHeads, int ffn,
                         int vocab, boolean qkvBias, double ropeTheta) {

        static Shape named(String name) {
            return switch (name) {
                case "llama3.2-1b" -> new Shape("LlamaForCausalLM", "llama", 16, 2048, 32, 8, 8192, 128_256, false, 500_000);
                case "qwen2.5-0.5b" -> new Shape("Qwen2ForCausalLM", "qwen2", 24, 896, 14, 2, 4864, 151_936, true, 1_000_000);
                default -> throw new IllegalArgumentException("unknown shape '" + name + "': llama3.2-1b or qwen2.5-0.5b");
            };
        }

        int headDim() {
            return d / heads;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Shape shape = Shape.named(args[1]);
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            long start = System.nanoTime();
            write(dir, shape);
            System.out.printf("wrote %s (%.2f GB) in %.1f s%n", dir, Files.size(dir.resolve("model.safetensors")) / 1e9,
                    (System.nanoTime() - start) / 1e9);
        }
        report("start", 0);
        long start = System.nanoTime();
        ModelSource source = ModelLoader.load(dir, new ModelLoader.Options(2048));
        report("ModelLoader.load", start);
        long sessions = System.nanoTime();
        try (OnnxTransformer onnx = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            report("sessions", sessions);
            long prompt = System.nanoTime();
            float[] logits = new Sequence(onnx, DensePolicy.INSTANCE).forwardAll(1, 2, 3, 4);
            report("4-token prompt (" + logits.length + " logits)", prompt);
            System.out.printf("load to ready sessions: %.1f s%n", (prompt - start) / 1e9);
            System.gc();
            Thread.sleep(5000);                           // G1 gives the freed heap back concurrently
            report("after a full GC (steady)", 0);
        }
    }

    private static void report(String phase, long since) throws IOException {
        String time = since == 0 ? "" : "%.1f s, ".formatted((System.nanoTime() - since) / 1e9);
        System.out.printf("%-36s %sVmHWM %s, VmRSS %s (Java heap committed %d MB)%n", phase + ":", time, status("VmHWM"),
                status("VmRSS"), Runtime.getRuntime().totalMemory() >> 20);
    }

    private static String status(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }

    /** config.json and a single BF16 model.safetensors, streamed tensor by tensor. */
    private static void write(Path dir, Shape s) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add(s.architecture());
        config.put("model_type", s.modelType()).put("hidden_act", "silu").put("hidden_size", s.d())
                .put("intermediate_size", s.ffn()).put("num_hidden_layers", s.layers())
                .put("num_attention_heads", s.heads()).put("num_key_value_heads", s.kvHeads())
                .put("max_position_embeddings", 131_072).put("rms_norm_eps", 1e-5).put("rope_theta", s.ropeTheta())
                .put("tie_word_embeddings", true).put("vocab_size", s.vocab()).put("torch_dtype", "bfloat16");
        if (s.architecture().equals("LlamaForCausalLM")) {
            config.put("bos_token_id", 128_000).put("head_dim", s.headDim());
            config.putArray("eos_token_id").add(128_001).add(128_008).add(128_009);
            config.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        } else {
            config.put("bos_token_id", 151_643).put("eos_token_id", 151_643);
        }
        Files.writeString(dir.resolve("config.json"), config.toString());
        Files.writeString(dir.resolve("tokenizer.json"), byteTokenizer());

        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new int[] {s.vocab(), s.d()});
        for (int n = 0; n < s.layers(); n++) {
            String h = "model.layers." + n + ".";
            shapes.put(h + "input_layernorm.weight", new int[] {s.d()});
            shapes.put(h + "self_attn.q_proj.weight", new int[] {q, s.d()});
            shapes.put(h + "self_attn.k_proj.weight", new int[] {kv, s.d()});
            shapes.put(h + "self_attn.v_proj.weight", new int[] {kv, s.d()});
            if (s.qkvBias()) {
                shapes.put(h + "self_attn.q_proj.bias", new int[] {q});
                shapes.put(h + "self_attn.k_proj.bias", new int[] {kv});
                shapes.put(h + "self_attn.v_proj.bias", new int[] {kv});
            }
            shapes.put(h + "self_attn.o_proj.weight", new int[] {s.d(), q});
            shapes.put(h + "post_attention_layernorm.weight", new int[] {s.d()});
            shapes.put(h + "mlp.gate_proj.weight", new int[] {s.ffn(), s.d()});
            shapes.put(h + "mlp.up_proj.weight", new int[] {s.ffn(), s.d()});
            shapes.put(h + "mlp.down_proj.weight", new int[] {s.d(), s.ffn()});
        }
        shapes.put("model.norm.weight", new int[] {s.d()});

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
                boolean norm = entry.getValue().length == 1 && entry.getKey().endsWith("norm.weight");
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

    /** A tokenizer.json of the 256 byte-level tokens and no merges: serving needs one, these runs never use it. */
    private static String byteTokenizer() {
        ObjectNode json = JSON.createObjectNode();
        ObjectNode vocab = json.putObject("model").put("type", "BPE").putObject("vocab");
        // GPT-2's byte alphabet: printable bytes stand for themselves, the others for 256, 257, ... in byte order.
        int unprintable = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            vocab.put(String.valueOf((char) (printable ? b : 256 + unprintable++)), b);
        }
        json.withObject("model").putArray("merges");
        json.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
        json.putObject("decoder").put("type", "ByteLevel");
        return json.toString();
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
