package org.dcpserve.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A layer's output graph chained with the next layer's projection computes what the two compute one after the
 * other in ONNX Runtime, for both architectures (llama's projection takes positions, gpt2's does not) and with
 * DCP's interaction projections; the embedding chained with layer 0's projection shares gpt2's positions.
 */
class GraphChainTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final int ROWS = 3;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void outputThenNextProjectionInOneGraphEqualsTheTwoInTurn(String architecture) throws Exception {
        ModelConfig base = architecture.equals("llama") ? RandomModels.llamaConfig() : RandomModels.gpt2Config();
        ModelConfig config = base.withDcp(new ModelConfig.DcpSpec(4, new float[base.layers()]));
        TransformerGraphs graphs = new TransformerGraphs(config, RandomModels.weights(config, 8));
        byte[] output = graphs.output(0).toByteArray();
        byte[] projection = graphs.projection(1).toByteArray();
        byte[] chained = GraphChain.chain(output, projection, Map.of("hidden", "hidden_out"));
        float[] hidden = random(ROWS * config.dModel(), 1);
        float[] context = random(ROWS * config.dModel(), 2);
        long[] positions = {4, 5, 9};

        Map<String, float[]> separate = new HashMap<>(run(output, Map.of("hidden", hidden, "context", context), positions));
        separate.putAll(run(projection, Map.of("hidden", separate.get("hidden_out")), positions));
        Map<String, float[]> together = run(chained, Map.of("hidden", hidden, "context", context), positions);

        assertThat(together.keySet()).isEqualTo(Set.of("hidden_out", "q", "k", "v", "q_int", "k_int"));
        for (String name : together.keySet()) {
            assertThat(together.get(name)).as(name).containsExactly(separate.get(name),
                    org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void theEmbeddingAndTheFirstProjectionShareTheirInputs(String architecture) throws Exception {
        ModelConfig config = architecture.equals("llama") ? RandomModels.llamaConfig() : RandomModels.gpt2Config();
        TransformerGraphs graphs = new TransformerGraphs(config, RandomModels.weights(config, 9));
        byte[] embedding = graphs.embedding().toByteArray();
        byte[] projection = graphs.projection(0).toByteArray();
        byte[] chained = GraphChain.chain(embedding, projection, Map.of("hidden", "hidden"));
        long[] positions = {0, 1, 2};

        Map<String, float[]> separate = new HashMap<>(run(embedding, Map.of(), positions));
        separate.putAll(run(projection, Map.of("hidden", separate.get("hidden")), positions));
        Map<String, float[]> together = run(chained, Map.of(), positions);

        assertThat(together.keySet()).isEqualTo(Set.of("hidden", "q", "k", "v"));
        for (String name : together.keySet()) {
            assertThat(together.get(name)).as(name).containsExactly(separate.get(name),
                    org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-such-input", "hidden"})
    void aLinkToAnythingMissingIsRefused(String input) {
        ModelConfig config = RandomModels.llamaConfig();
        TransformerGraphs graphs = new TransformerGraphs(config, RandomModels.weights(config, 10));
        byte[] output = graphs.output(0).toByteArray();
        byte[] projection = graphs.projection(1).toByteArray();
        // "hidden" is an input of the projection but not an output of the output graph (that is "hidden_out").
        assertThatThrownBy(() -> GraphChain.chain(output, projection, Map.of(input, "hidden")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(input.equals("hidden") ? "has no output hidden" : "has no input no-such-input");
    }

    /**
     * Runs a graph over ROWS rows: the given float inputs as [ROWS, width], token ids 1..ROWS and the positions
     * when the graph takes them; returns every output flattened.
     */
    private static Map<String, float[]> run(byte[] model, Map<String, float[]> floats, long[] positions)
            throws Exception {
        try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            for (Map.Entry<String, float[]> input : floats.entrySet()) {
                float[] data = input.getValue();
                inputs.put(input.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(data),
                        new long[] {ROWS, data.length / ROWS}));
            }
            if (session.getInputNames().contains("token_ids")) {
                inputs.put("token_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(new long[] {1, 2, 3}), new long[] {ROWS}));
            }
            if (session.getInputNames().contains("positions")) {
                inputs.put("positions", OnnxTensor.createTensor(ENV, LongBuffer.wrap(positions), new long[] {ROWS}));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                Map<String, float[]> outputs = new HashMap<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> output : result) {
                    FloatBuffer values = ((OnnxTensor) output.getValue()).getFloatBuffer();
                    float[] flat = new float[values.remaining()];
                    values.get(flat);
                    outputs.put(output.getKey(), flat);
                }
                return outputs;
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
