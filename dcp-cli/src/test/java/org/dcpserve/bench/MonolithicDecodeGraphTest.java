package org.dcpserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The monolithic decode graph the benchmark compares the split against computes the same model: fed the
 * caches two sequences built through the engine, its logits for their next tokens equal the engine's.
 */
class MonolithicDecodeGraphTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void givesTheEnginesLogits(String architecture) throws Exception {
        ModelConfig config = architecture.equals("llama") ? RandomModels.llamaConfig() : RandomModels.gpt2Config();
        ModelWeights weights = RandomModels.weights(config, 5);
        int[][] prompts = {{3, 14, 15, 92, 65}, {35, 89, 79, 32, 38}};
        int[] next = {26, 43};
        int p = prompts[0].length;
        int kv = config.kvDim();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU);
             OrtSession whole = env.createSession(MonolithicDecodeGraph.build(config, weights).toByteArray(),
                     new OrtSession.SessionOptions())) {
            float[][] expected = new float[2][];
            Map<String, OnnxTensor> inputs = new HashMap<>();
            float[][] pastK = new float[config.layers()][2 * p * kv];
            float[][] pastV = new float[config.layers()][2 * p * kv];
            for (int b = 0; b < 2; b++) {
                Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
                sequence.forward(prompts[b]);
                for (int layer = 0; layer < config.layers(); layer++) {
                    // A dense cache holds the prompt in position order, slot p = position p.
                    for (int slot = 0; slot < p; slot++) {
                        for (int i = 0; i < kv; i++) {   // into [B, Hkv, P, hd]
                            int at = ((b * config.kvHeads() + i / config.headDim()) * p + slot) * config.headDim()
                                    + i % config.headDim();
                            pastK[layer][at] = sequence.cache(layer).key(slot, i);
                            pastV[layer][at] = sequence.cache(layer).value(slot, i);
                        }
                    }
                }
                expected[b] = sequence.forward(next[b]);
            }
            long[] shape = {2, config.kvHeads(), p, config.headDim()};
            for (int layer = 0; layer < config.layers(); layer++) {
                inputs.put("past_k_" + layer, OnnxTensor.createTensor(env, FloatBuffer.wrap(pastK[layer]), shape));
                inputs.put("past_v_" + layer, OnnxTensor.createTensor(env, FloatBuffer.wrap(pastV[layer]), shape));
            }
            inputs.put("token_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {next[0], next[1]}), new long[] {2}));
            inputs.put("positions", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {p, p}), new long[] {2}));
            try (OrtSession.Result result = whole.run(inputs)) {
                float[][] logits = (float[][]) result.get("logits").orElseThrow().getValue();
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < config.vocabSize(); i++) {
                        assertThat((double) logits[b][i]).as("sequence %d logit %d", b, i)
                                .isCloseTo(expected[b][i], org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
                float[][][][] present = (float[][][][]) result.get("present_k_0").orElseThrow().getValue();
                assertThat(present[0][0].length).isEqualTo(p + 1);   // [B, Hkv, S, hd]
            }
            inputs.values().forEach(OnnxTensor::close);
        }
    }
}
