package org.dcpserve.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.ReferenceTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.importer.HfGpt2CheckpointWriter;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.importer.HuggingFaceGpt2Importer;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {

    @TempDir
    Path dir;

    @Test
    void aHuggingFaceGpt2CheckpointIsImportedAndRunsLikeTheReference() throws IOException {
        Path checkpoint = HfGpt2CheckpointWriter.write(dir.resolve("tiny-gpt2"), 2, 2, 8, 16, 50, 3);
        ModelSource source = ModelLoader.load(checkpoint);
        assertThat(source.kind()).isEqualTo(ModelSource.Kind.HUGGING_FACE_GPT2);

        ModelWeights weights = HuggingFaceGpt2Importer.load(checkpoint).weights();
        int[] tokens = {5, 17, 3, 44, 9, 0, 12, 30, 7, 7, 41, 2};
        double[][] expected = new ReferenceTransformer(source.config(), weights).logits(tokens);
        try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
            sequence.forward(java.util.Arrays.copyOf(tokens, 4));
            for (int i = 4; i < tokens.length; i++) {
                float[] logits = sequence.forward(tokens[i]);
                for (int v = 0; v < logits.length; v++) {
                    assertThat((double) logits[v]).isCloseTo(expected[i][v], org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void aWrittenPackageReadsBackTheSameWeightsAndRunsTheSame() throws IOException {
        ModelConfig config = RandomModels.llamaConfig();
        ModelWeights weights = RandomModels.weights(config, 11);
        Path tokenizer = Files.writeString(dir.resolve("tok.bin"), "not read by this test");
        Path packageDir = dir.resolve("package");
        ModelPackage.write(packageDir, config, weights, tokenizer);

        assertThat(ModelPackage.isPackage(packageDir)).isTrue();
        assertThat(ModelPackage.readConfig(packageDir)).usingRecursiveComparison().isEqualTo(config);
        assertThat(Files.readString(packageDir.resolve(ModelPackage.LLAMA2C_TOKENIZER_FILE))).isEqualTo("not read by this test");
        assertThat(ModelPackage.tokenizerFile(config, packageDir)).isEqualTo(packageDir.resolve("tokenizer.bin"));
        Map<String, FloatTensor> readBack = ModelPackage.readWeights(packageDir).asMap();
        assertThat(readBack.keySet()).containsExactlyInAnyOrderElementsOf(weights.asMap().keySet());
        weights.asMap().forEach((name, tensor) -> assertThat(readBack.get(name)).as(name).isEqualTo(tensor));
    }

    @Test
    void anUnknownPathGetsAMessageThatSaysWhatIsAccepted() throws IOException {
        assertThatThrownBy(() -> ModelLoader.load(dir.resolve("nope")))
                .isInstanceOf(IOException.class).hasMessageContaining("model not found");
        Path junk = Files.writeString(dir.resolve("junk.bin"), "hello");
        assertThatThrownBy(() -> ModelLoader.load(junk))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("neither a model package");
    }

    @Test
    void aHuggingFaceLlamaDirectoryIsRecognisedAndNeedsAReadableTokenizerToBeServed() throws IOException {
        Path checkpoint = dir.resolve("tiny-qwen3");
        HfLlamaCheckpointWriter.write(checkpoint, LLAMA_FAMILY, 5);
        assertThatThrownBy(() -> ModelLoader.load(checkpoint))
                .isInstanceOf(IOException.class).hasMessageContaining("'huggingface' needs a tokenizer file");
        Files.writeString(checkpoint.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> ModelLoader.load(checkpoint))
                .isInstanceOf(IOException.class).hasMessageContaining(checkpoint.resolve("tokenizer.json").toString());
    }

    @Test
    void anImportedHuggingFaceLlamaPackageKeepsItsOptionsAndRunsLikeTheCheckpoint() throws IOException {
        Path checkpoint = dir.resolve("tiny-qwen3");
        HfLlamaCheckpointWriter.write(checkpoint, LLAMA_FAMILY, 5);
        Files.writeString(checkpoint.resolve("tokenizer.json"), "{\"model\": {}}");
        Path packageDir = dir.resolve("package");
        ModelConfig imported = ModelLoader.importToPackage(checkpoint, packageDir);

        ModelConfig read = ModelPackage.readConfig(packageDir);
        assertThat(read).isEqualTo(imported);
        assertThat(read.formatVersion()).isEqualTo(ModelConfig.FORMAT_VERSION);
        assertThat(read.qkNorm()).isTrue();
        assertThat(read.ropeScaling()).isNotNull();
        assertThat(packageDir.resolve(ModelPackage.HUGGING_FACE_TOKENIZER_FILE)).hasContent("{\"model\": {}}");
        ModelWeights weights = ModelLoader.importCheckpoint(checkpoint).weights();
        assertThat(lastLogits(read, ModelPackage.graphs(packageDir, read)))
                .containsExactly(lastLogits(imported, GraphSet.build(imported, weights)));
    }

    @Test
    void theContextLimitCapsWhatTheEngineReservesButNotTheModel() throws IOException {
        Path checkpoint = HfGpt2CheckpointWriter.write(dir.resolve("tiny-gpt2"), 2, 2, 8, 16, 50, 3);
        assertThat(ModelLoader.load(checkpoint).config().contextLength()).isEqualTo(16);
        assertThat(ModelLoader.load(checkpoint, new ModelLoader.Options(8)).config().contextLength()).isEqualTo(8);
        assertThat(ModelLoader.load(checkpoint, new ModelLoader.Options(100)).config().contextLength()).isEqualTo(16);
        Path packageDir = dir.resolve("package");
        ModelLoader.importToPackage(checkpoint, packageDir);
        assertThat(ModelLoader.load(packageDir, new ModelLoader.Options(5)).config().contextLength()).isEqualTo(5);
        assertThat(ModelPackage.readConfig(packageDir).contextLength()).isEqualTo(16);
        assertThatThrownBy(() -> new ModelLoader.Options(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Qwen3-like: per-head q/k norms, heads * head_dim != hidden, llama3 RoPE scaling, tied. */
    private static final HfLlamaCheckpointWriter.Spec LLAMA_FAMILY = new HfLlamaCheckpointWriter.Spec("Qwen3ForCausalLM",
            2, 32, 4, 2, 16, 48, 61, 64, 1e6, Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0,
            "high_freq_factor", 4.0, "original_max_position_embeddings", 16), true, null, "BF16", false);

    private static float[] lastLogits(ModelConfig config, GraphSet graphs) {
        try (OnnxTransformer model = new OnnxTransformer(config, graphs, ExecutionProvider.CPU)) {
            return new Sequence(model, DensePolicy.INSTANCE).forward(3, 1, 4, 1, 5, 9, 2, 6);
        }
    }
}
