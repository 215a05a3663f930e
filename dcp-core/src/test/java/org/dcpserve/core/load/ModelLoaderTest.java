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
import org.dcpserve.core.importer.HuggingFaceGpt2Importer;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
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
}
