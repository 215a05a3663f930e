package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graphs built for sessions hold no weights: each session is given its weights from the weight source while it is
 * built, through one staging buffer that the next graph overwrites, and computes exactly what the graphs that carry
 * their weights compute. A tied model read from files looks its embedding rows up there and computes the same.
 */
class SessionWeightsTest {

    private static final int[] TOKENS = {3, 1, 4, 1, 5, 9, 2, 6};

    @TempDir
    Path dir;

    @Test
    void sessionsGivenTheirWeightsComputeExactlyWhatGraphsCarryingThemCompute() throws IOException {
        ModelConfig config = RandomModels.llamaFamilyConfig();
        ModelWeights weights = RandomModels.weights(config, 41);
        GraphSet forSessions = GraphSet.build(config, weights);
        List<byte[]> graphs = all(config, forSessions);
        for (byte[] graph : graphs) {
            for (TensorProto initializer : parse(graph).getGraph().getInitializerList()) {
                if (weights.contains(initializer.getName())) {
                    assertThat(initializer.getDataLocation()).as(initializer.getName()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
                    assertThat(initializer.getRawData().isEmpty()).as(initializer.getName()).isTrue();
                }
            }
        }
        // The staging buffer is rewritten for every graph: were a session still reading it, layer 0 would compute
        // with layer 1's weights and the logits would differ.
        ModelPackage.write(dir, config, weights, null);
        assertThat(logits(config, forSessions)).containsExactly(logits(config, GraphSet.inDirectory(dir)));
    }

    @Test
    void aTiedModelFromFilesHoldsOnlyTheHeadsCopyOfTheTable() throws IOException {
        ModelConfig config = RandomModels.llamaConfig();
        ModelWeights weights = RandomModels.weights(config, 43);
        weights.put(ModelWeights.LM_HEAD, weights.get(ModelWeights.TOK_EMBEDDINGS).transpose());
        GraphSet tied = GraphSet.build(config, new Tied(weights));
        // No embedding session: its rows come from the weight source, so the graph is never asked for.
        GraphSet noEmbeddingGraph = new GraphSet() {
            public byte[] embedding() {
                throw new AssertionError("the embedding graph was built");
            }

            public byte[] projection(int layer) {
                return tied.projection(layer);
            }

            public byte[] attention() {
                return tied.attention();
            }

            public byte[] output(int layer) {
                return tied.output(layer);
            }

            public byte[] head() {
                return tied.head();
            }

            public Optional<WeightSource> weights() {
                return tied.weights();
            }
        };
        assertThat(logits(config, noEmbeddingGraph)).containsExactly(logits(config, GraphSet.build(config, weights)));
    }

    /** Weights that say their head is the embedding table, read row by row (as a tied checkpoint's are). */
    private record Tied(ModelWeights weights) implements WeightSource {
        public boolean contains(String name) {
            return weights.contains(name);
        }

        public int[] shape(String name) {
            return weights.shape(name);
        }

        public void read(String name, FloatBuffer out) {
            weights.read(name, out);
        }

        public void readRows(String name, long[] rows, FloatBuffer out) {
            weights.readRows(name, rows, out);
        }

        public boolean tiedHead() {
            return true;
        }
    }

    private static float[] logits(ModelConfig config, GraphSet graphs) {
        try (OnnxTransformer model = new OnnxTransformer(config, graphs, ExecutionProvider.CPU)) {
            return new Sequence(model, DensePolicy.INSTANCE).forward(TOKENS);
        }
    }

    private static List<byte[]> all(ModelConfig config, GraphSet graphs) {
        List<byte[]> all = new ArrayList<>(List.of(graphs.embedding(), graphs.attention(), graphs.head()));
        for (int layer = 0; layer < config.layers(); layer++) {
            all.add(graphs.projection(layer));
            all.add(graphs.output(layer));
        }
        return all;
    }

    private static ModelProto parse(byte[] graph) throws InvalidProtocolBufferException {
        return ModelProto.parseFrom(graph);
    }
}
