package org.dcpserve.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Tiny models for tests: dcp-core's random models, written as packages the loader accepts, and their tokenizers. */
public final class TestModels {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The ids of {@link #writeSentencePieceTokenizer}: specials, then the 256 byte-fallback tokens, then pieces. */
    public static final int UNK = 0, BOS = 1, EOS = 2, FIRST_BYTE = 3;

    private TestModels() {
    }

    /**
     * A llama2.c tokenizer with {@code vocab} ids: unk, BOS, EOS, then one piece per printable ASCII
     * character from the space on (vocab 97 covers ' ' .. '}'). No merges: one id per character.
     */
    public static Path writeCharTokenizer(Path file, int vocab) throws IOException {
        List<byte[]> pieces = new ArrayList<>(List.of(bytes("<unk>"), bytes("\n<s>\n"), bytes("\n</s>\n")));
        for (int c = ' '; pieces.size() < vocab; c++) {
            pieces.add(new byte[] {(byte) c});
        }
        int size = Integer.BYTES + pieces.stream().mapToInt(p -> Float.BYTES + Integer.BYTES + p.length).sum();
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(8);
        for (byte[] piece : pieces) {
            buf.putFloat(0f).putInt(piece.length).put(piece);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, buf.array());
    }

    /** A random llama model (dcp-core's RandomModels.llamaConfig, vocab 97) as a package with a character tokenizer. */
    public static Path randomLlamaPackage(Path dir, ModelConfig.DcpSpec dcp, long seed) throws IOException {
        ModelConfig config = RandomModels.llamaConfig().withDcp(dcp);
        ModelWeights weights = RandomModels.weights(config, seed);
        Path tokenizer = writeCharTokenizer(dir.resolveSibling(dir.getFileName() + "-tok.bin"), config.vocabSize());
        ModelPackage.write(dir, config, weights, tokenizer);
        return dir;
    }

    /**
     * A Hugging Face {@code tokenizer.json} in the SentencePiece style of Mistral's and Llama 2's: {@code <unk> <s>
     * </s>} (ids 0, 1, 2, as HfLlamaCheckpointWriter's config names BOS and EOS), the byte-fallback tokens
     * {@code <0x00>..<0xFF>} (3..258), then "▁", a..z, "▁t" and "he" (two merges); spaces become "▁" and one
     * is prepended. 288 ids. Returns the file.
     */
    public static Path writeSentencePieceTokenizer(Path dir) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        ObjectNode model = json.putObject("model").put("type", "BPE").put("byte_fallback", true)
                .put("unk_token", "<unk>").put("fuse_unk", true);
        ObjectNode vocab = model.putObject("vocab").put("<unk>", UNK).put("<s>", BOS).put("</s>", EOS);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), FIRST_BYTE + b);
        }
        int id = FIRST_BYTE + 256;
        vocab.put("\u2581", id++);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.put(String.valueOf(c), id++);
        }
        vocab.put("\u2581t", id++).put("he", id);
        model.putArray("merges").add("\u2581 t").add("h e");
        ArrayNode added = json.putArray("added_tokens");
        for (String special : List.of("<unk>", "<s>", "</s>")) {
            added.addObject().put("id", vocab.get(special).asInt()).put("content", special).put("special", true);
        }
        ArrayNode normalizers = json.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        normalizers.addObject().put("type", "Replace").put("content", "\u2581").putObject("pattern").put("String", " ");
        json.putNull("pre_tokenizer");
        json.putNull("post_processor");
        ArrayNode decoders = json.putObject("decoder").put("type", "Sequence").putArray("decoders");
        decoders.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", "\u2581");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(json));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
