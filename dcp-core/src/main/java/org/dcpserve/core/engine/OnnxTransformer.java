package org.dcpserve.core.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;
import org.dcpserve.core.onnx.GraphSet;

/**
 * The ONNX Runtime sessions of one model: embedding, per layer a projection and an output sub-graph,
 * one weight-free attention graph shared by all layers, and the head (shapes in
 * {@link org.dcpserve.core.onnx.TransformerGraphs}). Stateless between calls (Java owns the KV cache).
 *
 * <p>Every method reads its inputs from and writes its outputs into direct native-order buffers: ONNX
 * Runtime tensors are created over them without a copy, and outputs are pinned to them, so a step
 * moves no activation through the Java heap. Buffers must start at position 0 (pass slices).
 *
 * <p>Sessions are built one graph at a time, each given its weights as it is created ({@link SessionBuilder}), so
 * loading holds one graph's weights beside what ONNX Runtime already keeps. When the head is tied to the embedding
 * and the weights stay in a checkpoint's files ({@link WeightSource#tiedHead}), the embedding is no session: its rows
 * are read from the files for each step's tokens (a few kilobytes), and the head session holds the only float32 copy
 * of the table, packed as ONNX Runtime packs any MatMul weight.
 */
public final class OnnxTransformer implements AutoCloseable {

    private final ModelConfig config;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    /** The embedding session, or null when its rows are read from {@link #embeddingRows}. */
    private final OrtSession embedding;
    private final WeightSource embeddingRows;
    private final List<OrtSession> projections = new ArrayList<>();
    private final OrtSession attention;
    private final List<OrtSession> outputs = new ArrayList<>();
    private final OrtSession head;
    /** Wall time spent in each kind of call since the last {@link #resetCallTimes}, tensor wrapping included. */
    private final long[] callNanos = new long[Call.values().length];
    /** Of that, the time inside {@code OrtSession.run}. */
    private final long[] runNanos = new long[Call.values().length];
    private final long[] callCounts = new long[Call.values().length];

    /** The kinds of graph call a step makes, for {@link #callTimes}. */
    public enum Call { EMBED, PROJECT, ATTEND, OUTPUT, HEAD }

    /** Time spent per kind of call since the last reset. */
    public record CallTimes(long[] nanos, long[] runNanos, long[] counts) {
    }

    public OnnxTransformer(ModelConfig config, GraphSet graphs, ExecutionProvider provider) {
        this(config, graphs, RuntimeOptions.allCores(provider));
    }

    public OnnxTransformer(ModelConfig config, GraphSet graphs, RuntimeOptions runtime) {
        this.config = config;
        this.embeddingRows = graphs.weights().filter(w -> w.tiedHead() && config.architecture() == Architecture.LLAMA)
                .orElse(null);
        OrtSession embed = null;
        OrtSession attend = null;
        OrtSession last = null;
        SessionBuilder sessions = new SessionBuilder(env, runtime, graphs.weights());
        try {
            // The largest graphs first: while one is built, ONNX Runtime holds three copies of its weights at once
            // (given, copied, packed), and these should not come on top of every layer already loaded.
            if (embeddingRows == null) {
                embed = sessions.create(graphs.embedding());
            }
            last = sessions.create(graphs.head());
            attend = sessions.create(graphs.attention());
            for (int layer = 0; layer < config.layers(); layer++) {
                projections.add(sessions.create(graphs.projection(layer)));
                outputs.add(sessions.create(graphs.output(layer)));
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(embed, attend, last);
            closeAll(projections.toArray(OrtSession[]::new));
            closeAll(outputs.toArray(OrtSession[]::new));
            throw new IllegalStateException("ONNX Runtime could not load the model: " + e.getMessage(), e);
        }
        this.embedding = embed;
        this.attention = attend;
        this.head = last;
    }

    public ModelConfig config() {
        return config;
    }

    /** Per kind of call: total and in-run nanoseconds and calls since the last reset (for profiling a step). */
    public CallTimes callTimes() {
        return new CallTimes(callNanos.clone(), runNanos.clone(), callCounts.clone());
    }

    public void resetCallTimes() {
        Arrays.fill(callNanos, 0);
        Arrays.fill(runNanos, 0);
        Arrays.fill(callCounts, 0);
    }

    /** Token (and, for gpt2, position) embeddings of N tokens into {@code hidden} [N, d]. */
    public void embed(long[] tokenIds, long[] positions, FloatBuffer hidden) {
        long start = System.nanoTime();
        int n = tokenIds.length;
        if (embeddingRows != null) {
            embeddingRows.readRows(ModelWeights.TOK_EMBEDDINGS, tokenIds, hidden);
            long elapsed = System.nanoTime() - start;
            callNanos[Call.EMBED.ordinal()] += elapsed;
            runNanos[Call.EMBED.ordinal()] += elapsed;
            callCounts[Call.EMBED.ordinal()]++;
            return;
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("token_ids", longs(tokenIds));
        if (embedding.getInputNames().contains("positions")) {
            inputs.put("positions", longs(positions));
        }
        run(Call.EMBED, start, embedding, "embedding", inputs, Map.of("hidden", floats(hidden, n, config.dModel())));
    }

    /**
     * Norm + Q/K/V (+RoPE) (+ interaction projections) of the N rows of {@code hidden} [N, d], into the first
     * N rows of {@code out}.
     */
    public void project(int layer, FloatBuffer hidden, long[] positions, ProjectionBuffers out) {
        long start = System.nanoTime();
        int n = positions.length;
        OrtSession session = projections.get(layer);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("hidden", floats(hidden, n, config.dModel()));
        if (session.getInputNames().contains("positions")) {
            inputs.put("positions", longs(positions));
        }
        Map<String, OnnxTensor> pinned = new HashMap<>();
        int rank = config.hasDcpGates() ? config.dcp().rank() : 0;
        pinned.put("q", floats(DirectFloats.rows(out.q(), 0, n, config.qDim()), n, config.heads(), config.headDim()));
        pinned.put("k", floats(DirectFloats.rows(out.k(), 0, n, config.kvDim()), n, config.kvHeads(), config.headDim()));
        pinned.put("v", floats(DirectFloats.rows(out.v(), 0, n, config.kvDim()), n, config.kvHeads(), config.headDim()));
        if (rank > 0) {
            pinned.put("q_int", floats(DirectFloats.rows(out.qInt(), 0, n, rank), n, rank));
            pinned.put("k_int", floats(DirectFloats.rows(out.kInt(), 0, n, rank), n, rank));
        }
        run(Call.PROJECT, start, session, "projection of layer " + layer, inputs, pinned);
    }

    /**
     * Attention of T new tokens of each of B sequences over their caches, into {@code context} [B * T, H * hd].
     *
     * @param q      the new tokens' queries [B, T, H, hd]
     * @param keys   B regions of a pool [B, Hkv, C, hd] (new tokens already appended), a view of the pool
     * @param values [B, Hkv, C, hd]
     * @param mask   additive mask [B, T, C]
     */
    public void attend(FloatBuffer q, FloatBuffer keys, FloatBuffer values, FloatBuffer mask, int b, int t, int c,
                       FloatBuffer context) {
        long start = System.nanoTime();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("q", floats(q, b, t, config.heads(), config.headDim()));
        inputs.put("k_cache", floats(keys, b, config.kvHeads(), c, config.headDim()));
        inputs.put("v_cache", floats(values, b, config.kvHeads(), c, config.headDim()));
        inputs.put("mask", floats(mask, b, t, c));
        run(Call.ATTEND, start, attention, "attention", inputs,
                Map.of("context", floats(context, (long) b * t, config.qDim())));
    }

    /** Output projection, residual, norm, MLP, residual over N rows: hidden [N, d], context [N, H * hd] -> out [N, d]. */
    public void output(int layer, FloatBuffer hidden, FloatBuffer context, int n, FloatBuffer out) {
        long start = System.nanoTime();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("hidden", floats(hidden, n, config.dModel()));
        inputs.put("context", floats(context, n, config.qDim()));
        run(Call.OUTPUT, start, outputs.get(layer), "output of layer " + layer, inputs, Map.of("hidden_out", floats(out, n, config.dModel())));
    }

    /** Final norm + LM head: hidden [N, d] -> logits [N, vocab]. */
    public void logits(FloatBuffer hidden, int n, FloatBuffer logits) {
        long start = System.nanoTime();
        Map<String, OnnxTensor> inputs = Map.of("hidden", floats(hidden, n, config.dModel()));
        run(Call.HEAD, start, head, "head", inputs, Map.of("logits", floats(logits, n, config.vocabSize())));
    }

    @Override
    public void close() {
        List<OrtSession> all = new ArrayList<>(projections);
        all.addAll(outputs);
        all.add(embedding);
        all.add(attention);
        all.add(head);
        closeAll(all.toArray(OrtSession[]::new));
    }

    private static void closeAll(OrtSession... sessions) {
        for (OrtSession session : sessions) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // closing is best effort; the native memory goes with the process anyway
                }
            }
        }
    }

    private void run(Call call, long start, OrtSession session, String what, Map<String, OnnxTensor> inputs,
                     Map<String, OnnxTensor> pinnedOutputs) {
        long before = System.nanoTime();
        try (OrtSession.Result ignored = session.run(inputs, pinnedOutputs)) {
            // the outputs are in the pinned buffers
            runNanos[call.ordinal()] += System.nanoTime() - before;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed in the " + what + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            pinnedOutputs.values().forEach(OnnxTensor::close);
            callNanos[call.ordinal()] += System.nanoTime() - start;
            callCounts[call.ordinal()]++;
        }
    }

    private OnnxTensor floats(FloatBuffer data, long... shape) {
        if (!data.isDirect()) {
            throw new IllegalArgumentException("tensors are created over direct buffers only, to avoid a copy");
        }
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
}
