package org.dcpserve.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A format-1 package (attention and MLP in one layer_NN_attn.onnx), a format-2 one (a slot-major attention
 * graph) and a format-3 one (a config without the Llama-family options) still serve, and migrate in place.
 */
class FormatMigrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void aFormatOnePackageRunsAsBeforeAndIsRewrittenInTheCurrentFormat() throws IOException {
        ModelConfig config = RandomModels.gpt2Config();
        ModelWeights weights = RandomModels.weights(config, 21);
        Path current = dir.resolve("current");
        ModelPackage.write(current, config, weights, null);
        Path old = formatOneCopyOf(current, config);

        ModelConfig oldConfig = ModelPackage.readConfig(old);
        assertThat(oldConfig.formatVersion()).isEqualTo(1);
        assertThat(ModelPackage.readWeights(old).asMap().keySet()).containsExactlyInAnyOrderElementsOf(weights.asMap().keySet());
        float[] expected = lastLogits(config, GraphSet.inDirectory(current));
        assertThat(lastLogits(oldConfig, ModelPackage.graphs(old, oldConfig))).containsExactly(expected);

        assertThat(ModelPackage.migrate(old)).isTrue();
        assertThat(ModelPackage.readConfig(old).formatVersion()).isEqualTo(ModelConfig.FORMAT_VERSION);
        assertThat(old.resolve("layer_00_attn.onnx")).doesNotExist();
        assertThat(lastLogits(config, GraphSet.inDirectory(old))).containsExactly(expected);
        assertThat(ModelPackage.migrate(old)).isFalse();
    }

    @Test
    void aFormatTwoPackageGetsTheCurrentAttentionBuiltFromItsConfigAndKeepsItsWeightFiles() throws IOException {
        ModelConfig config = RandomModels.llamaConfig();
        ModelWeights weights = RandomModels.weights(config, 22);
        Path current = dir.resolve("current");
        ModelPackage.write(current, config, weights, null);
        float[] expected = lastLogits(config, GraphSet.inDirectory(current));
        Path old = dir.resolve("format-2");
        Files.createDirectories(old);
        try (var files = Files.list(current)) {
            for (Path file : files.toList()) {
                Files.copy(file, old.resolve(file.getFileName()));
            }
        }
        ModelPackage.writeConfig(old, config.withFormatVersion(2));
        // Format 2's attention read another layout; whatever the file holds, it must not be what runs.
        Files.write(old.resolve(GraphSet.attentionFile()), new byte[] {1, 2, 3});
        ModelConfig oldConfig = ModelPackage.readConfig(old);
        assertThat(lastLogits(oldConfig, ModelPackage.graphs(old, oldConfig))).containsExactly(expected);

        byte[] head = Files.readAllBytes(old.resolve(GraphSet.headFile()));
        assertThat(ModelPackage.migrate(old)).isTrue();
        assertThat(ModelPackage.readConfig(old).formatVersion()).isEqualTo(ModelConfig.FORMAT_VERSION);
        assertThat(old.resolve(GraphSet.attentionFile())).hasSameBinaryContentAs(current.resolve(GraphSet.attentionFile()));
        assertThat(Files.readAllBytes(old.resolve(GraphSet.headFile()))).isEqualTo(head);
        assertThat(lastLogits(config, GraphSet.inDirectory(old))).containsExactly(expected);
    }

    @Test
    void aFormatThreeConfigReadsWithTheDefaultsOfItsTimeAndMigratesByRewritingOnlyTheConfig() throws IOException {
        ModelConfig config = RandomModels.llamaConfig();
        Path old = dir.resolve("format-3");
        ModelPackage.write(old, config, RandomModels.weights(config, 23), null);
        float[] expected = lastLogits(config, GraphSet.inDirectory(old));
        // Format 3's config.json: the fields format 4 added did not exist.
        ObjectNode json = (ObjectNode) JSON.readTree(old.resolve(ModelPackage.CONFIG_FILE).toFile());
        json.put("format_version", 3);
        for (String added : new String[] {"head_dim", "rope_layout", "rope_scaling", "attention_bias", "qk_norm"}) {
            json.remove(added);
        }
        Files.writeString(old.resolve(ModelPackage.CONFIG_FILE), json.toString());

        ModelConfig oldConfig = ModelPackage.readConfig(old);
        assertThat(oldConfig).isEqualTo(config.withFormatVersion(3));
        assertThat(oldConfig.ropeLayout()).isEqualTo(ModelConfig.RopeLayout.INTERLEAVED);
        assertThat(oldConfig.headDim()).isEqualTo(config.dModel() / config.heads());
        assertThat(lastLogits(oldConfig, ModelPackage.graphs(old, oldConfig))).containsExactly(expected);

        byte[] projection = Files.readAllBytes(old.resolve(GraphSet.projectionFile(0)));
        assertThat(ModelPackage.migrate(old)).isTrue();
        assertThat(ModelPackage.readConfig(old)).isEqualTo(config);
        assertThat(Files.readAllBytes(old.resolve(GraphSet.projectionFile(0)))).isEqualTo(projection);
        assertThat(lastLogits(config, GraphSet.inDirectory(old))).containsExactly(expected);
    }

    /**
     * The current package laid out as format 1: every layer's output-projection and MLP weights in a
     * layer_NN_attn.onnx, no shared attention graph. Only initializers are read from format-1 graphs.
     */
    private static Path formatOneCopyOf(Path current, ModelConfig config) throws IOException {
        Path old = current.resolveSibling("format-1");
        Files.createDirectories(old);
        ModelPackage.writeConfig(old, config.withFormatVersion(1));
        Files.copy(current.resolve(GraphSet.embeddingFile()), old.resolve(GraphSet.embeddingFile()));
        Files.copy(current.resolve(GraphSet.headFile()), old.resolve(GraphSet.headFile()));
        for (int layer = 0; layer < config.layers(); layer++) {
            Files.copy(current.resolve(GraphSet.projectionFile(layer)), old.resolve(GraphSet.projectionFile(layer)));
            Files.copy(current.resolve(GraphSet.outputFile(layer)), old.resolve("layer_%02d_attn.onnx".formatted(layer)));
        }
        return old;
    }

    private static float[] lastLogits(ModelConfig config, GraphSet graphs) {
        try (OnnxTransformer model = new OnnxTransformer(config, graphs, ExecutionProvider.CPU)) {
            return new Sequence(model, DensePolicy.INSTANCE).forward(3, 1, 4, 1, 5, 9, 2, 6);
        }
    }
}
