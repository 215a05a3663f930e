package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelConfig.Provenance;
import org.dcpserve.core.model.ModelConfig.TokenizerSpec;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.tokenizer.Llama2cTokenizer;

/**
 * Imports a legacy llama2.c checkpoint ({@code model.bin} as written by {@code export.py
 * --version 0} / {@code legacy_export}) into canonical {@link ModelWeights}.
 *
 * <p>Layout, all little-endian: 7 int32 {@code dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 * vocab_size, seq_len}, then float32 tensors grouped by kind across layers: token embedding
 * {@code [vocab, dim]}, rms_att {@code [L, dim]}, wq {@code [L, dim, dim]}, wk and wv
 * {@code [L, kv_dim, dim]}, wo {@code [L, dim, dim]}, rms_ffn {@code [L, dim]}, w1 {@code [L, hidden, dim]},
 * w2 {@code [L, dim, hidden]}, w3 {@code [L, hidden, dim]}, rms_final {@code [dim]}, two RoPE tables
 * {@code [seq_len, head_size / 2]} (skipped: the engine recomputes them) and, only when vocab_size is
 * negative, an unshared classifier {@code [vocab, dim]}. Matrices are PyTorch {@code Linear} weights,
 * {@code [out, in]}, so each is transposed to the canonical input-major {@code [in, out]}.
 */
public final class Llama2cImporter {

    private static final int HEADER_BYTES = 7 * Integer.BYTES;
    /** Bounds that keep every size computation inside a long and every tensor inside a Java array. */
    private static final int MAX_LAYERS = 1 << 16;
    private static final int MAX_SEQ_LEN = 1 << 24;
    private static final long MAX_TENSOR = Integer.MAX_VALUE - 8;

    private Llama2cImporter() {
    }

    /**
     * Imports {@code checkpoint} with the tokenizer beside it: {@code tokenizer.bin}, else the only
     * {@code tok*.bin} in the same directory (llama2.c ships e.g. {@code tok512.bin} with stories260K).
     */
    public static ImportedModel load(Path checkpoint) throws IOException {
        return load(checkpoint, findTokenizer(checkpoint));
    }

    /** Imports {@code checkpoint}; {@code tokenizerFile} must be a llama2.c tokenizer of the same vocabulary. */
    public static ImportedModel load(Path checkpoint, Path tokenizerFile) throws IOException {
        try (FileChannel channel = FileChannel.open(checkpoint, StandardOpenOption.READ)) {
            Header h = Header.read(checkpoint, channel);
            String problem = h.problem();
            if (problem != null) {
                throw new IOException("checkpoint " + checkpoint + ": implausible llama2.c header " + h + ": " + problem);
            }
            if (channel.size() != h.fileBytes()) {
                throw new IOException("checkpoint " + checkpoint + ": header " + h + " implies " + h.fileBytes()
                        + " bytes but the file has " + channel.size()
                        + (channel.size() < h.fileBytes() ? " (truncated?)" : " (not a legacy llama2.c checkpoint?)"));
            }
            int tokenizerVocab = Llama2cTokenizer.load(tokenizerFile).vocabSize();
            if (tokenizerVocab != h.vocabSize()) {
                throw new IOException("tokenizer " + tokenizerFile + " has " + tokenizerVocab
                        + " tokens but checkpoint " + checkpoint + " has vocab_size " + h.vocabSize());
            }
            return new ImportedModel(config(h, checkpoint), readWeights(h, new TensorReader(channel)), tokenizerFile);
        }
    }

    /**
     * Whether {@code file} is plausibly a legacy llama2.c checkpoint: a regular file whose header
     * sizes are sane and account for the file size exactly. Never throws.
     */
    public static boolean looksLikeCheckpoint(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = Header.read(file, channel);
            return h.problem() == null && channel.size() == h.fileBytes();
        } catch (IOException e) {
            return false;
        }
    }

    private static Path findTokenizer(Path checkpoint) throws IOException {
        Path dir = checkpoint.toAbsolutePath().getParent();
        Path standard = dir.resolve("tokenizer.bin");
        if (Files.isRegularFile(standard)) {
            return standard;
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "tok*.bin")) {
            for (Path candidate : stream) {
                if (Files.isRegularFile(candidate) && !Files.isSameFile(candidate, checkpoint)) {
                    candidates.add(candidate);
                }
            }
        }
        if (candidates.size() != 1) {
            throw new IOException("no tokenizer for checkpoint " + checkpoint + ": expected tokenizer.bin or exactly one tok*.bin in "
                    + dir + (candidates.isEmpty() ? "" : ", found " + candidates.stream().map(Path::getFileName).toList()));
        }
        return candidates.get(0);
    }

    private static ModelConfig config(Header h, Path checkpoint) {
        Provenance provenance = new Provenance(
                checkpoint.getFileName().toString(), "llama2c", Instant.now().toString(), null);
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, h.layers(), h.dim(), h.heads(),
                h.kvHeads(), h.hiddenDim(), h.vocabSize(), h.seqLen(), 1e-5f, 10000f,
                new TokenizerSpec(TokenizerSpec.LLAMA2C, Llama2cTokenizer.BOS, Llama2cTokenizer.EOS), null, provenance);
    }

    /** Reads the tensors in file order, then files them under canonical names, layer by layer. */
    private static ModelWeights readWeights(Header h, TensorReader in) throws IOException {
        int layers = h.layers();
        int dim = h.dim();
        int hidden = h.hiddenDim();
        int kvDim = h.kvDim();
        FloatTensor embedding = in.matrix(h.vocabSize(), dim);
        FloatTensor[] attnNorm = in.vectors(layers, dim);
        FloatTensor[] wq = in.linears(layers, dim, dim);
        FloatTensor[] wk = in.linears(layers, kvDim, dim);
        FloatTensor[] wv = in.linears(layers, kvDim, dim);
        FloatTensor[] wo = in.linears(layers, dim, dim);
        FloatTensor[] mlpNorm = in.vectors(layers, dim);
        FloatTensor[] w1 = in.linears(layers, hidden, dim);
        FloatTensor[] w2 = in.linears(layers, dim, hidden);
        FloatTensor[] w3 = in.linears(layers, hidden, dim);
        FloatTensor finalNorm = in.vector(dim);
        in.skip(h.ropeFloats());
        FloatTensor lmHead = h.sharedClassifier() ? embedding.transpose() : in.matrix(h.vocabSize(), dim).transpose();

        ModelWeights weights = new ModelWeights().put(ModelWeights.TOK_EMBEDDINGS, embedding);
        for (int l = 0; l < layers; l++) {
            weights.put(ModelWeights.layer(l, "attn_norm.weight"), attnNorm[l])
                    .put(ModelWeights.layer(l, "wq"), wq[l])
                    .put(ModelWeights.layer(l, "wk"), wk[l])
                    .put(ModelWeights.layer(l, "wv"), wv[l])
                    .put(ModelWeights.layer(l, "wo"), wo[l])
                    .put(ModelWeights.layer(l, "mlp_norm.weight"), mlpNorm[l])
                    .put(ModelWeights.layer(l, "w_gate"), w1[l])
                    .put(ModelWeights.layer(l, "w_up"), w3[l])
                    .put(ModelWeights.layer(l, "w_down"), w2[l]);
        }
        return weights.put(ModelWeights.FINAL_NORM + ".weight", finalNorm).put(ModelWeights.LM_HEAD, lmHead);
    }

    /**
     * The checkpoint header; {@code vocabSize} is the absolute value, its sign becomes
     * {@code sharedClassifier} (positive in the file means the classifier is the embedding).
     */
    private record Header(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, boolean sharedClassifier,
                  int seqLen) {

        static Header read(Path file, FileChannel channel) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining() && channel.read(buf, buf.position()) > 0) {
                // FileChannel.read may return fewer bytes than asked; keep reading until full or EOF
            }
            if (buf.hasRemaining()) {
                throw new IOException("checkpoint " + file + ": " + buf.position()
                        + " bytes, too short for the " + HEADER_BYTES + "-byte llama2.c header");
            }
            buf.flip();
            int dim = buf.getInt();
            int hidden = buf.getInt();
            int layers = buf.getInt();
            int heads = buf.getInt();
            int kvHeads = buf.getInt();
            int vocab = buf.getInt();
            int seqLen = buf.getInt();
            return new Header(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), vocab > 0, seqLen);
        }

        /** Why these sizes cannot be a llama2.c model, or null when they are plausible. */
        String problem() {
            if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocabSize <= 0 || seqLen <= 0) {
                return "sizes must be positive";
            }
            if (dim % heads != 0 || heads % kvHeads != 0 || headSize() % 2 != 0) {
                return "dim must split into heads of even size and n_heads must be a multiple of n_kv_heads";
            }
            if (layers > MAX_LAYERS || seqLen > MAX_SEQ_LEN) {
                return "n_layers or seq_len is absurdly large";
            }
            if ((long) vocabSize * dim > MAX_TENSOR || (long) hiddenDim * dim > MAX_TENSOR || (long) dim * dim > MAX_TENSOR) {
                return "a tensor is too large for a Java array";
            }
            return null;
        }

        int headSize() {
            return dim / heads;
        }

        int kvDim() {
            return dim * kvHeads / heads;
        }

        /** The two RoPE tables, {@code seq_len * head_size / 2} floats each. */
        long ropeFloats() {
            return 2 * ((long) seqLen * headSize() / 2);
        }

        long fileBytes() {
            long perLayer = 2L * dim + 2L * dim * dim + 2L * kvDim() * dim + 3L * hiddenDim * dim;
            long floats = (long) vocabSize * dim + layers * perLayer + dim + ropeFloats()
                    + (sharedClassifier ? 0 : (long) vocabSize * dim);
            return HEADER_BYTES + floats * Float.BYTES;
        }

        @Override
        public String toString() {
            return "(dim=" + dim + ", hidden_dim=" + hiddenDim + ", n_layers=" + layers + ", n_heads=" + heads
                    + ", n_kv_heads=" + kvHeads + ", vocab_size=" + (sharedClassifier ? "" : "-") + vocabSize
                    + ", seq_len=" + seqLen + ")";
        }
    }

    /** Reads consecutive little-endian float32 tensors, mapping one tensor at a time so files may exceed 2 GB. */
    private static final class TensorReader {
        private final FileChannel channel;
        private long position = HEADER_BYTES;

        TensorReader(FileChannel channel) {
            this.channel = channel;
        }

        FloatTensor vector(int size) throws IOException {
            return new FloatTensor(floats(size), size);
        }

        FloatTensor matrix(int rows, int cols) throws IOException {
            return new FloatTensor(floats(rows * cols), rows, cols);
        }

        FloatTensor[] vectors(int count, int size) throws IOException {
            FloatTensor[] out = new FloatTensor[count];
            for (int i = 0; i < count; i++) {
                out[i] = vector(size);
            }
            return out;
        }

        /** {@code count} PyTorch Linear weights stored {@code [out, in]}, returned input-major {@code [in, out]}. */
        FloatTensor[] linears(int count, int out, int in) throws IOException {
            FloatTensor[] result = new FloatTensor[count];
            for (int i = 0; i < count; i++) {
                result[i] = matrix(out, in).transpose();
            }
            return result;
        }

        void skip(long floats) {
            position += floats * Float.BYTES;
        }

        private float[] floats(int count) throws IOException {
            float[] data = new float[count];
            channel.map(FileChannel.MapMode.READ_ONLY, position, (long) count * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            position += (long) count * Float.BYTES;
            return data;
        }
    }
}
