package org.dcpserve.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * The comparison point for the per-layer split: the same dense model as one ONNX graph per decode step
 * ({@link MonolithicDecodeGraph}), its KV cache passed in and out as tensors; a step's outputs
 * are the next step's inputs without passing through Java. Same optimization level and threads as the engine;
 * spinning workers stay on (ONNX Runtime's default), which suits a single session.
 */
final class MonolithicDecode implements AutoCloseable {

    private final ModelConfig config;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    MonolithicDecode(ModelConfig config, ModelWeights weights, int threads) throws OrtException {
        this.config = config;
        byte[] graph = MonolithicDecodeGraph.build(config, weights).toByteArray();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            session = env.createSession(graph, options);
        }
    }

    /** Step times in nanoseconds of {@code steps} measured steps (after {@code warmup}) from position {@code start}. */
    long[] run(int batch, int start, int warmup, int steps, SplittableRandom random) throws OrtException {
        int layers = config.layers();
        int hkv = config.kvHeads();
        int hd = config.headDim();
        Map<String, OnnxTensor> past = new HashMap<>();
        for (int layer = 0; layer < layers; layer++) {
            past.put("past_k_" + layer, randomTensor(random, batch, hkv, start, hd));
            past.put("past_v_" + layer, randomTensor(random, batch, hkv, start, hd));
        }
        OrtSession.Result previous = null;
        long[] nanos = new long[steps];
        try {
            for (int s = 0; s < warmup + steps; s++) {
                long[] ids = new long[batch];
                long[] positions = new long[batch];
                for (int b = 0; b < batch; b++) {
                    ids[b] = random.nextInt(config.vocabSize());
                    positions[b] = start + s;
                }
                Map<String, OnnxTensor> inputs = new HashMap<>(past);
                OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch});
                OnnxTensor posTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch});
                inputs.put("token_ids", idTensor);
                inputs.put("positions", posTensor);
                long t0 = System.nanoTime();
                OrtSession.Result result = session.run(inputs);
                long t = System.nanoTime() - t0;
                if (s >= warmup) {
                    nanos[s - warmup] = t;
                }
                idTensor.close();
                posTensor.close();
                if (previous == null) {
                    past.values().forEach(OnnxTensor::close);
                } else {
                    previous.close();
                }
                past.clear();
                for (int layer = 0; layer < layers; layer++) {
                    past.put("past_k_" + layer, present(result, "present_k_" + layer));
                    past.put("past_v_" + layer, present(result, "present_v_" + layer));
                }
                previous = result;
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
        return nanos;
    }

    private static OnnxTensor present(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name).orElseThrow();
        return (OnnxTensor) value;
    }

    private OnnxTensor randomTensor(SplittableRandom random, int... shape) throws OrtException {
        long count = 1;
        for (int dim : shape) {
            count *= dim;
        }
        FloatBuffer data = ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < count; i++) {
            data.put(i, (float) (random.nextDouble() - 0.5));
        }
        return OnnxTensor.createTensor(env, data, Arrays.stream(shape).asLongStream().toArray());
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
