package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Optional;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.onnx.OnnxGraph;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graphs built for sessions hold no weights: each session is given its weights from the weight source while it is
 * built, through one staging buffer that the next graph overwrites, and computes exactly what the graphs that carry
 * their weights compute. A tied model read from files looks its embedding rows up there and computes the same. A
 * graph that carries large weights has them taken out and given the same way.
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

    @Test
    void aGraphCarryingLargeWeightsHasThemGivenTheSameWay() throws Exception {
        // 512 x 640 floats: 1.25 MiB, above what stays in the graph (a package's embedding or MLP weight).
        FloatTensor w = RandomModels.gaussian(new SplittableRandom(5), 0.05, 512, 640);
        OnnxGraph g = new OnnxGraph("g");
        g.floatOutput(g.op("MatMul", g.floatInput("x", "T", 512), g.weight("w", w)), "y", "T", 640);
        byte[] inline = g.toModel().toByteArray();
        assertThat(InlineWeights.of(ModelProto.parseFrom(inline)).graph().getGraph().getInitializer(0).getDataLocation())
                .isEqualTo(TensorProto.DataLocation.EXTERNAL);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[3 * 512];
        Arrays.fill(x, 0.25f);
        try (OrtSession given = new SessionBuilder(env, RuntimeOptions.allCores(ExecutionProvider.CPU), Optional.empty()).create(inline);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession parsed = env.createSession(inline, options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {3, 512})) {
            assertThat(output(given, input)).isDeepEqualTo(output(parsed, input));
        }
    }

    private static float[][] output(OrtSession session, OnnxTensor input) throws Exception {
        try (OrtSession.Result result = session.run(Map.of("x", input))) {
            return (float[][]) result.get(0).getValue();
        }
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
