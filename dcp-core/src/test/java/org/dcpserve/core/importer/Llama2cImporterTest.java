package org.dcpserve.core.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Llama2cImporterTest {

    private static final int DIM = 8;
    private static final int HIDDEN = 12;
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int VOCAB = 20;
    private static final int SEQ_LEN = 16;
    private static final int KV_DIM = DIM * KV_HEADS / HEADS;
    private static final int ROPE = SEQ_LEN * (DIM / HEADS) / 2;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "shared classifier: {0}")
    @ValueSource(booleans = {true, false})
    void transposesEveryTensorIntoCanonicalLayout(boolean shared) throws IOException {
        TinyCheckpoint written = new TinyCheckpoint(shared, new Random(shared ? 1 : 2));
        Path checkpoint = written.write(tmp.resolve("model.bin"));
        Path tokenizer = writeTokenizer(tmp.resolve("tok20.bin"));

        ImportedModel model = Llama2cImporter.load(checkpoint);

        assertThat(model.tokenizerFile()).isEqualTo(tokenizer.toAbsolutePath());
        ModelConfig config = model.config();
        assertThat(config).extracting(ModelConfig::architecture, ModelConfig::layers, ModelConfig::dModel,
                        ModelConfig::heads, ModelConfig::kvHeads, ModelConfig::ffnDim, ModelConfig::vocabSize,
                        ModelConfig::contextLength, ModelConfig::normEps, ModelConfig::ropeTheta)
                .containsExactly(Architecture.LLAMA, LAYERS, DIM, HEADS, KV_HEADS, HIDDEN, VOCAB, SEQ_LEN, 1e-5f, 10000f);
        assertThat(config.tokenizer()).isEqualTo(new ModelConfig.TokenizerSpec("llama2c", 1, 2));
        assertThat(config.dcp()).isNull();
        assertThat(config.provenance().source()).isEqualTo("model.bin");
        assertThat(config.provenance().importer()).isEqualTo("llama2c");

        ModelWeights w = model.weights();
        assertThat(w.get(ModelWeights.TOK_EMBEDDINGS)).isEqualTo(new FloatTensor(written.embedding, VOCAB, DIM));
        for (int l = 0; l < LAYERS; l++) {
            assertThat(w.layerTensor(l, "attn_norm.weight").data()).isEqualTo(written.rmsAtt[l]);
            assertTransposed(w.layerTensor(l, "wq"), written.wq[l], DIM, DIM);
            assertTransposed(w.layerTensor(l, "wk"), written.wk[l], KV_DIM, DIM);
            assertTransposed(w.layerTensor(l, "wv"), written.wv[l], KV_DIM, DIM);
            assertTransposed(w.layerTensor(l, "wo"), written.wo[l], DIM, DIM);
            assertThat(w.layerTensor(l, "mlp_norm.weight").data()).isEqualTo(written.rmsFfn[l]);
            assertTransposed(w.layerTensor(l, "w_gate"), written.w1[l], HIDDEN, DIM);
            assertTransposed(w.layerTensor(l, "w_up"), written.w3[l], HIDDEN, DIM);
            assertTransposed(w.layerTensor(l, "w_down"), written.w2[l], DIM, HIDDEN);
        }
        assertThat(w.get("final_norm.weight").data()).isEqualTo(written.rmsFinal);
        assertTransposed(w.get(ModelWeights.LM_HEAD), shared ? written.embedding : written.wcls, VOCAB, DIM);
        assertThat(w.asMap()).hasSize(1 + 9 * LAYERS + 2);
        assertThat(Llama2cImporter.looksLikeCheckpoint(checkpoint)).isTrue();
        assertThat(Llama2cImporter.looksLikeCheckpoint(tokenizer)).isFalse();
    }

    @Test
    void truncatedOrTooShortFileFailsWithAClearMessage() throws IOException {
        byte[] bytes = Files.readAllBytes(new TinyCheckpoint(false, new Random(3)).write(tmp.resolve("full.bin")));
        Path tokenizer = writeTokenizer(tmp.resolve("tokenizer.bin"));

        Path truncated = Files.write(tmp.resolve("truncated.bin"), Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> Llama2cImporter.load(truncated, tokenizer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated.bin")
                .hasMessageContaining("implies " + bytes.length + " bytes but the file has " + (bytes.length - 4))
                .hasMessageNotContaining("\n");
        assertThat(Llama2cImporter.looksLikeCheckpoint(truncated)).isFalse();

        Path stub = Files.write(tmp.resolve("stub.bin"), Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> Llama2cImporter.load(stub, tokenizer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("stub.bin: 10 bytes, too short for the 28-byte llama2.c header");
        assertThat(Llama2cImporter.looksLikeCheckpoint(stub)).isFalse();
    }

    @Test
    void missingTokenizerIsReported() throws IOException {
        Path checkpoint = new TinyCheckpoint(true, new Random(4)).write(tmp.resolve("model.bin"));
        assertThatThrownBy(() -> Llama2cImporter.load(checkpoint))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected tokenizer.bin or exactly one tok*.bin");
    }

    @Test
    void importsStories260K() throws IOException {
        Path checkpoint = SharedData.stories260K();
        SharedData.assumePresent(checkpoint);
        assertThat(Llama2cImporter.looksLikeCheckpoint(checkpoint)).isTrue();

        ImportedModel model = Llama2cImporter.load(checkpoint);

        assertThat(model.tokenizerFile().getFileName().toString()).isEqualTo("tok512.bin");
        ModelConfig c = model.config();
        assertThat(new int[] {c.layers(), c.dModel(), c.heads(), c.kvHeads(), c.ffnDim(), c.vocabSize(), c.contextLength()})
                .containsExactly(5, 64, 8, 4, 172, 512, 512);
        // 260,032 trained parameters plus lm_head, a [64, 512] transposed copy of the tied embedding.
        assertThat(model.weights().parameterCount()).isEqualTo(260_032 + 512 * 64).isEqualTo(292_800);
        assertThat(model.weights().get(ModelWeights.LM_HEAD))
                .isEqualTo(model.weights().get(ModelWeights.TOK_EMBEDDINGS).transpose());
    }

    /** canonical must be [in, out] with canonical[i][o] == written[o][i] (PyTorch Linear layout). */
    private static void assertTransposed(FloatTensor canonical, float[] written, int out, int in) {
        assertThat(canonical.shape()).containsExactly(in, out);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                assertThat(canonical.data()[i * out + o]).as("[%d][%d]", i, o).isEqualTo(written[o * in + i]);
            }
        }
    }

    /** A tokenizer.bin of VOCAB pieces: the three specials then "t3".."t19". */
    private static Path writeTokenizer(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN).putInt(6);
        for (int id = 0; id < VOCAB; id++) {
            String piece = switch (id) {
                case 0 -> "<unk>";
                case 1 -> "\n<s>\n";
                case 2 -> "\n</s>\n";
                default -> "t" + id;
            };
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            buf.putFloat(-id).putInt(bytes.length).put(bytes);
        }
        return Files.write(file, Arrays.copyOf(buf.array(), buf.position()));
    }

    /** Random weights, kept in the layout they are written in so the test can compare against them. */
    private static final class TinyCheckpoint {
        final boolean shared;
        final float[] embedding;
        final float[][] rmsAtt;
        final float[][] wq;
        final float[][] wk;
        final float[][] wv;
        final float[][] wo;
        final float[][] rmsFfn;
        final float[][] w1;
        final float[][] w2;
        final float[][] w3;
        final float[] rmsFinal;
        final float[] rope;
        final float[] wcls;

        TinyCheckpoint(boolean shared, Random random) {
            this.shared = shared;
            embedding = floats(random, VOCAB * DIM);
            rmsAtt = perLayer(random, DIM);
            wq = perLayer(random, DIM * DIM);
            wk = perLayer(random, KV_DIM * DIM);
            wv = perLayer(random, KV_DIM * DIM);
            wo = perLayer(random, DIM * DIM);
            rmsFfn = perLayer(random, DIM);
            w1 = perLayer(random, HIDDEN * DIM);
            w2 = perLayer(random, DIM * HIDDEN);
            w3 = perLayer(random, HIDDEN * DIM);
            rmsFinal = floats(random, DIM);
            rope = floats(random, 2 * ROPE);
            wcls = shared ? null : floats(random, VOCAB * DIM);
        }

        Path write(Path file) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            for (int value : new int[] {DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, shared ? VOCAB : -VOCAB, SEQ_LEN}) {
                buf.putInt(value);
            }
            put(buf, embedding);
            for (float[][] group : new float[][][] {rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3}) {
                for (float[] layer : group) {
                    put(buf, layer);
                }
            }
            put(buf, rmsFinal);
            put(buf, rope);
            if (!shared) {
                put(buf, wcls);
            }
            return Files.write(file, Arrays.copyOf(buf.array(), buf.position()));
        }

        private static void put(ByteBuffer buf, float[] values) {
            for (float v : values) {
                buf.putFloat(v);
            }
        }

        private static float[][] perLayer(Random random, int size) {
            float[][] out = new float[LAYERS][];
            for (int l = 0; l < LAYERS; l++) {
                out[l] = floats(random, size);
            }
            return out;
        }

        private static float[] floats(Random random, int size) {
            float[] out = new float[size];
            for (int i = 0; i < size; i++) {
                out[i] = (float) random.nextGaussian();
            }
            return out;
        }
    }
}
