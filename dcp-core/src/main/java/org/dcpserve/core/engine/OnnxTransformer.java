package org.dcpserve.core.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;

/**
 * The ONNX Runtime sessions of one model: embedding, per layer a projection and an attention
 * sub-graph, and the head. Stateless between calls (Java owns the KV cache), so one instance serves
 * any number of concurrent sequences.
 */
public final class OnnxTransformer implements AutoCloseable {

    private final ModelConfig config;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession embedding;
    private final List<OrtSession> projections = new ArrayList<>();
    private final List<OrtSession> attentions = new ArrayList<>();
    private final OrtSession head;

    public OnnxTransformer(ModelConfig config, GraphSet graphs, ExecutionProvider provider) {
        this.config = config;
        try (OrtSession.SessionOptions options = sessionOptions(provider)) {
            embedding = env.createSession(graphs.embedding(), options);
            for (int layer = 0; layer < config.layers(); layer++) {
                projections.add(env.createSession(graphs.projection(layer), options));
                attentions.add(env.createSession(graphs.attention(layer), options));
            }
            head = env.createSession(graphs.head(), options);
        } catch (OrtException e) {
            close();
            throw new IllegalStateException("ONNX Runtime could not load the model: " + e.getMessage(), e);
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** Token (and, for gpt2, position) embeddings: returns hidden [T, d]. */
    public float[] embed(long[] tokenIds, long[] positions) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("token_ids", longs(tokenIds));
            if (embedding.getInputNames().contains("positions")) {
                inputs.put("positions", longs(positions));
            }
            return runSingle(embedding, inputs);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Norm + Q/K/V (+RoPE) (+ interaction projections) of the new tokens' hidden [T, d]. */
    public Projection project(int layer, float[] hidden, long[] positions) {
        int t = positions.length;
        OrtSession session = projections.get(layer);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("hidden", floats(FloatBuffer.wrap(hidden), t, config.dModel()));
            if (session.getInputNames().contains("positions")) {
                inputs.put("positions", longs(positions));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                return new Projection(t, output(result, "q"), output(result, "k"), output(result, "v"),
                        config.hasDcpGates() ? output(result, "q_int") : null,
                        config.hasDcpGates() ? output(result, "k_int") : null);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("projection of layer " + layer + " failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Attention of the new tokens over the cache, then the rest of the block.
     *
     * @param hidden the layer input [T, d] (the residual)
     * @param q      the new tokens' queries [T, H, hd]
     * @param cache  this layer's cache, new tokens already appended; S = cache.slotCount()
     * @param mask   additive mask [T, S]
     * @return the layer output [T, d]
     */
    public float[] attend(int layer, float[] hidden, float[] q, LayerKvCache cache, float[] mask) {
        int t = hidden.length / config.dModel();
        int s = cache.slotCount();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("hidden", floats(FloatBuffer.wrap(hidden), t, config.dModel()));
            inputs.put("q", floats(FloatBuffer.wrap(q), t, config.heads(), config.headDim()));
            inputs.put("k_cache", floats(cache.keysView(), s, config.kvHeads(), config.headDim()));
            inputs.put("v_cache", floats(cache.valuesView(), s, config.kvHeads(), config.headDim()));
            inputs.put("mask", floats(FloatBuffer.wrap(mask), t, s));
            return runSingle(attentions.get(layer), inputs);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Final norm + LM head: logits [T, vocab] for hidden [T, d]. */
    public float[] logits(float[] hidden) {
        int t = hidden.length / config.dModel();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("hidden", floats(FloatBuffer.wrap(hidden), t, config.dModel()));
            return runSingle(head, inputs);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        List<OrtSession> all = new ArrayList<>(projections);
        all.addAll(attentions);
        all.add(embedding);
        all.add(head);
        for (OrtSession session : all) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // closing is best effort; the native memory goes with the process anyway
                }
            }
        }
    }

    private float[] runSingle(OrtSession session, Map<String, OnnxTensor> inputs) {
        try (OrtSession.Result result = session.run(inputs)) {
            return toArray((OnnxTensor) result.get(0));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static float[] output(OrtSession.Result result, String name) {
        return toArray((OnnxTensor) result.get(name).orElseThrow());
    }

    private static float[] toArray(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private OnnxTensor floats(FloatBuffer data, long... shape) {
        try {
            return OnnxTensor.createTensor(env, data, shape);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private OnnxTensor longs(long[] data) {
        try {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(data), new long[] {data.length});
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OrtSession.SessionOptions sessionOptions(ExecutionProvider provider) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        // Requests run on their own threads; one intra-op thread each keeps them from fighting over cores.
        options.setIntraOpNumThreads(1);
        if (provider == ExecutionProvider.CUDA) {
            options.addCUDA();
        }
        return options;
    }

    /**
     * Output of a projection sub-graph for T new tokens.
     *
     * @param q    [T, H, hd]
     * @param k    [T, Hkv, hd]
     * @param v    [T, Hkv, hd]
     * @param qInt [T, r] interaction queries, null for a dense model
     * @param kInt [T, r] interaction keys, null for a dense model
     */
    public record Projection(int tokens, float[] q, float[] k, float[] v, float[] qInt, float[] kInt) {
    }
}
