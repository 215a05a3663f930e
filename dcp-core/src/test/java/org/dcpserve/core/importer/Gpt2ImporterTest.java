package org.dcpserve.core.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dcpserve.core.model.ModelWeights.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class Gpt2ImporterTest {

    private static final int LAYERS = 2;
    private static final int HEADS = 2;
    private static final int D = 8;
    private static final int POSITIONS = 16;
    private static final int VOCAB = 50;
    private static final long SEED = 42;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "transformer prefix {0}, f16 {1}")
    @CsvSource({"false, false", "true, false", "false, true"})
    void mapsEveryTensorToItsCanonicalSlice(boolean prefix, boolean f16) throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("tiny-gpt2"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED, prefix, f16);
        Map<String, FloatTensor> hf = HfGpt2CheckpointWriter.tensors(LAYERS, D, POSITIONS, VOCAB, SEED);

        ImportedModel model = HuggingFaceGpt2Importer.load(dir);
        ModelWeights w = model.weights();

        assertThat(w.get(ModelWeights.TOK_EMBEDDINGS)).isEqualTo(hf.get("wte.weight"));
        assertThat(w.get(ModelWeights.POS_EMBEDDINGS)).isEqualTo(hf.get("wpe.weight"));
        for (int n = 0; n < LAYERS; n++) {
            String h = "h." + n + ".";
            FloatTensor qkv = hf.get(h + "attn.c_attn.weight");
            FloatTensor qkvBias = hf.get(h + "attn.c_attn.bias");
            assertThat(w.get(layer(n, "attn_norm.weight"))).isEqualTo(hf.get(h + "ln_1.weight"));
            assertThat(w.get(layer(n, "attn_norm.bias"))).isEqualTo(hf.get(h + "ln_1.bias"));
            assertThat(w.get(layer(n, "wq"))).isEqualTo(qkv.columns(0, D));
            assertThat(w.get(layer(n, "wk"))).isEqualTo(qkv.columns(D, 2 * D));
            assertThat(w.get(layer(n, "wv"))).isEqualTo(qkv.columns(2 * D, 3 * D));
            assertThat(w.get(layer(n, "bq"))).isEqualTo(qkvBias.slice(0, D));
            assertThat(w.get(layer(n, "bk"))).isEqualTo(qkvBias.slice(D, 2 * D));
            assertThat(w.get(layer(n, "bv"))).isEqualTo(qkvBias.slice(2 * D, 3 * D));
            assertThat(w.get(layer(n, "wo"))).isEqualTo(hf.get(h + "attn.c_proj.weight"));
            assertThat(w.get(layer(n, "bo"))).isEqualTo(hf.get(h + "attn.c_proj.bias"));
            assertThat(w.get(layer(n, "mlp_norm.weight"))).isEqualTo(hf.get(h + "ln_2.weight"));
            assertThat(w.get(layer(n, "mlp_norm.bias"))).isEqualTo(hf.get(h + "ln_2.bias"));
            assertThat(w.get(layer(n, "fc"))).isEqualTo(hf.get(h + "mlp.c_fc.weight"));
            assertThat(w.get(layer(n, "fc_bias"))).isEqualTo(hf.get(h + "mlp.c_fc.bias"));
            assertThat(w.get(layer(n, "proj"))).isEqualTo(hf.get(h + "mlp.c_proj.weight"));
            assertThat(w.get(layer(n, "proj_bias"))).isEqualTo(hf.get(h + "mlp.c_proj.bias"));
        }
        assertThat(w.get(ModelWeights.FINAL_NORM + ".weight")).isEqualTo(hf.get("ln_f.weight"));
        assertThat(w.get(ModelWeights.FINAL_NORM + ".bias")).isEqualTo(hf.get("ln_f.bias"));
        assertThat(w.get(ModelWeights.LM_HEAD)).isEqualTo(hf.get("wte.weight").transpose());
        // 2 embeddings + 16 per layer + final norm + head; the attn.bias buffers are not weights.
        assertThat(w.asMap()).hasSize(2 + 16 * LAYERS + 2 + 1);
        assertThat(model.tokenizerFile()).isNull();
    }

    @Test
    void readsTheConfig() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("tiny-gpt2"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);

        ModelConfig config = HuggingFaceGpt2Importer.load(dir).config();

        assertThat(config.formatVersion()).isEqualTo(ModelConfig.FORMAT_VERSION);
        assertThat(config.architecture()).isEqualTo(Architecture.GPT2);
        assertThat(config.layers()).isEqualTo(LAYERS);
        assertThat(config.dModel()).isEqualTo(D);
        assertThat(config.heads()).isEqualTo(HEADS);
        assertThat(config.kvHeads()).isEqualTo(HEADS);
        assertThat(config.ffnDim()).isEqualTo(4 * D);
        assertThat(config.vocabSize()).isEqualTo(VOCAB);
        assertThat(config.contextLength()).isEqualTo(POSITIONS);
        assertThat(config.normEps()).isEqualTo(1e-5f);
        assertThat(config.ropeTheta()).isZero();
        assertThat(config.tokenizer()).isEqualTo(new ModelConfig.TokenizerSpec("gpt2", null, 50256));
        assertThat(config.dcp()).isNull();
        assertThat(config.provenance().source()).isEqualTo("tiny-gpt2");
        assertThat(config.provenance().importer()).isEqualTo("huggingface-gpt2");
        assertThat(config.provenance().createdAt()).isNotBlank();
    }

    @Test
    void usesAnUntiedHeadWhenPresent() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("untied"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        Map<String, FloatTensor> tensors = Safetensors.read(dir.resolve("model.safetensors"));
        FloatTensor head = FloatTensor.zeros(VOCAB, D);
        head.data()[3] = 1.5f;
        tensors.put("lm_head.weight", head);
        Safetensors.write(dir.resolve("model.safetensors"), tensors);

        assertThat(HuggingFaceGpt2Importer.load(dir).weights().get(ModelWeights.LM_HEAD)).isEqualTo(head.transpose());
    }

    @Test
    void namesAMissingTensor() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("broken"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        Map<String, FloatTensor> tensors = Safetensors.read(dir.resolve("model.safetensors"));
        tensors.remove("h.1.mlp.c_fc.bias");
        Safetensors.write(dir.resolve("model.safetensors"), tensors);

        assertThatThrownBy(() -> HuggingFaceGpt2Importer.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no tensor 'h.1.mlp.c_fc.bias'");
    }

    @Test
    void namesAWrongShape() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("broken"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        editConfig(dir, config -> config.put("vocab_size", VOCAB + 1));

        assertThatThrownBy(() -> HuggingFaceGpt2Importer.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'wte.weight' has shape [50, 8], expected [51, 8]");
    }

    @Test
    void rejectsAnUnsupportedActivation() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("relu"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        editConfig(dir, config -> config.put("activation_function", "relu"));

        assertThatThrownBy(() -> HuggingFaceGpt2Importer.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("activation_function 'relu' is not supported");
    }

    @Test
    void reportsAMissingWeightsFile() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("no-weights"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        Files.delete(dir.resolve("model.safetensors"));

        assertThatThrownBy(() -> HuggingFaceGpt2Importer.load(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void recognisesCheckpointDirectories() throws IOException {
        Path dir = HfGpt2CheckpointWriter.write(temp.resolve("tiny-gpt2"), LAYERS, HEADS, D, POSITIONS, VOCAB, SEED);
        assertThat(HuggingFaceGpt2Importer.looksLikeCheckpoint(dir)).isTrue();

        editConfig(dir, config -> config.put("model_type", "llama"));
        assertThat(HuggingFaceGpt2Importer.looksLikeCheckpoint(dir)).isFalse();
        assertThat(HuggingFaceGpt2Importer.looksLikeCheckpoint(temp.resolve("absent"))).isFalse();
    }

    private static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        Path file = dir.resolve("config.json");
        ObjectNode config = (ObjectNode) json.readTree(Files.readString(file));
        edit.accept(config);
        Files.writeString(file, json.writeValueAsString(config));
    }
}
