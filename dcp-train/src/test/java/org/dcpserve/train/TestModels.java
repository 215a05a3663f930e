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

/** Tiny models for tests: dcp-core's random models, written as packages the loader accepts, and their tokenizers. */
public final class TestModels {

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
