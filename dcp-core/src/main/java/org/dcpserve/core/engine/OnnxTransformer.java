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
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphChain;
import org.dcpserve.core.onnx.GraphSet;

/**
 * The ONNX Runtime sessions of one model (graphs in {@link org.dcpserve.core.onnx.TransformerGraphs}), cut where
 * Java must act: before every layer's attention (the DCP gate scores the cache, the mask is built) and before
 * the head (only the rows whose logits are wanted go on). Between those points nothing happens in Java, so
 * neighbouring graphs are chained into one session ({@link GraphChain}): per step
 *
 * <pre>
 * embedding + projection of layer 0                 token_ids, positions [N]    -> hidden [N, d]; q, k, v (, q_int, k_int)
 * per layer l: attention                            q, pool, mask               -> context [B * T, d]
 *              output of l + projection of l + 1    hidden, context [N, d] (, positions) -> hidden [N, d]; q, k, v ...
 *              (the last layer: its output alone)
 * head                                              hidden [R, d]               -> logits [R, vocab]
 * </pre>
 *
 * that is 2L + 2 native calls instead of 3L + 2. Stateless between calls (Java owns the KV cache).
 *
 * <p>Every method reads its inputs from and writes its outputs into direct native-order buffers: ONNX
 * Runtime tensors are created over them without a copy, and outputs are pinned to them, so a step
 * moves no activation through the Java heap. Buffers must start at position 0 (pass slices).
 */
public final class OnnxTransformer implements AutoCloseable {

    private final ModelConfig config;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    /** The embedding chained with layer 0's projection. */
    private final OrtSession input;
    private final OrtSession attention;
    /** Per layer, its output chained with the next layer's projection (the last layer's output alone). */
    private final List<OrtSession> outputs = new ArrayList<>();
    private final OrtSession head;
    /** Wall time spent in each kind of call since the last {@link #resetCallTimes}, tensor wrapping included. */
    private final long[] callNanos = new long[Call.values().length];
    /** Of that, the time inside {@code OrtSession.run}. */
    private final long[] runNanos = new long[Call.values().length];
    private final long[] callCounts = new long[Call.values().length];

    /**
     * The kinds of graph call a step makes, for {@link #callTimes}: EMBED is the embedding with layer 0's
     * projection, OUTPUT a layer's output with the next layer's projection.
     */
    public enum Call { EMBED, ATTEND, OUTPUT, HEAD }

    /** Time spent per kind of call since the last reset. */
    public record CallTimes(long[] nanos, long[] runNanos, long[] counts) {
    }

    public OnnxTransformer(ModelConfig config, GraphSet graphs, ExecutionProvider provider) {
        this(config, graphs, RuntimeOptions.allCores(provider));
    }

    public OnnxTransformer(ModelConfig config, GraphSet graphs, RuntimeOptions runtime) {
        this.config = config;
        OrtSession first = null;
        OrtSession attend = null;
        OrtSession last = null;
        try (OrtSession.SessionOptions options = sessionOptions(runtime)) {
            first = env.createSession(GraphChain.chain(graphs.embedding(), graphs.projection(0),
                    Map.of("hidden", "hidden")), options);
            attend = env.createSession(graphs.attention(), options);
            for (int layer = 0; layer < config.layers(); layer++) {
                byte[] output = layer + 1 < config.layers()
                        ? GraphChain.chain(graphs.output(layer), graphs.projection(layer + 1), Map.of("hidden", "hidden_out"))
                        : graphs.output(layer);
                outputs.add(env.createSession(output, options));
            }
            last = env.createSession(graphs.head(), options);
        } catch (OrtException e) {
            List<OrtSession> made = new ArrayList<>(outputs);
            made.addAll(Arrays.asList(first, attend, last));
            closeAll(made.toArray(OrtSession[]::new));
            throw new IllegalStateException("ONNX Runtime could not load the model: " + e.getMessage(), e);
        }
        this.input = first;
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

    /**
     * Token (and, for gpt2, position) embeddings of N tokens into {@code hidden} [N, d], and layer 0's projection
     * of them into the first N rows of {@code projection}.
     */
    public void embed(long[] tokenIds, long[] positions, FloatBuffer hidden, ProjectionBuffers projection) {
        long start = System.nanoTime();
        int n = tokenIds.length;
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("token_ids", longs(tokenIds));
        Map<String, OnnxTensor> pinned = projectionOutputs(n, projection);
        pinned.put("hidden", floats(hidden, n, config.dModel()));
        run(Call.EMBED, start, input, "embedding", withPositions(input, inputs, positions), pinned);
    }

    /**
     * Attention of T new tokens of each of B sequences over their caches, into {@code context} [B * T, d].
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
                Map.of("context", floats(context, (long) b * t, config.dModel())));
    }

    /**
     * Output projection, residual, norm, MLP, residual over N rows: hidden, context [N, d] -> out [N, d]; then,
     * but for the last layer, the next layer's projection of {@code out} into the first N rows of
     * {@code projection} (norm, Q/K/V, RoPE, interaction projections).
     */
    public void output(int layer, FloatBuffer hidden, FloatBuffer context, long[] positions, FloatBuffer out,
                       ProjectionBuffers projection) {
        long start = System.nanoTime();
        int n = positions.length;
        OrtSession session = outputs.get(layer);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("hidden", floats(hidden, n, config.dModel()));
        inputs.put("context", floats(context, n, config.dModel()));
        Map<String, OnnxTensor> pinned = layer + 1 < config.layers() ? projectionOutputs(n, projection) : new HashMap<>();
        pinned.put("hidden_out", floats(out, n, config.dModel()));
        run(Call.OUTPUT, start, session, "output of layer " + layer, withPositions(session, inputs, positions), pinned);
    }

    /** The projection outputs pinned to their buffers: q [N, H, hd], k, v [N, Hkv, hd] (, q_int, k_int [N, r]). */
    private Map<String, OnnxTensor> projectionOutputs(int n, ProjectionBuffers out) {
        Map<String, OnnxTensor> pinned = new HashMap<>();
        pinned.put("q", floats(DirectFloats.rows(out.q(), 0, n, config.dModel()), n, config.heads(), config.headDim()));
        pinned.put("k", floats(DirectFloats.rows(out.k(), 0, n, config.kvDim()), n, config.kvHeads(), config.headDim()));
        pinned.put("v", floats(DirectFloats.rows(out.v(), 0, n, config.kvDim()), n, config.kvHeads(), config.headDim()));
        if (config.hasDcpGates()) {
            int rank = config.dcp().rank();
            pinned.put("q_int", floats(DirectFloats.rows(out.qInt(), 0, n, rank), n, rank));
            pinned.put("k_int", floats(DirectFloats.rows(out.kInt(), 0, n, rank), n, rank));
        }
        return pinned;
    }

    /** Adds the positions when the session takes them (gpt2's embedding, llama's projections: RoPE). */
    private Map<String, OnnxTensor> withPositions(OrtSession session, Map<String, OnnxTensor> inputs, long[] positions) {
        if (session.getInputNames().contains("positions")) {
            inputs.put("positions", longs(positions));
        }
        return inputs;
    }

    /** Final norm + LM head: hidden [N, d] -> logits [N, vocab]. */
    public void logits(FloatBuffer hidden, int n, FloatBuffer logits) {
        long start = System.nanoTime();
        Map<String, OnnxTensor> inputs = Map.of("hidden", floats(hidden, n, config.dModel()));
        run(Call.HEAD, start, head, "head", inputs, Map.of("logits", floats(logits, n, config.vocabSize())));
    }

    @Override
    public void close() {
        List<OrtSession> all = new ArrayList<>(outputs);
        all.add(input);
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

    private static OrtSession.SessionOptions sessionOptions(RuntimeOptions runtime) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(runtime.intraOpThreads());
        // Every session has its own intra-op pool, and a model has 2 per layer + 3. Spinning workers (ONNX
        // Runtime's default) keep polling after their call returns, so the pools of the sessions that just ran
        // compete for the cores with the one running now: on 2 cores, GPT-2 small decoded 7x slower than one
        // monolithic session. Only one session runs at a time here, so idle workers should sleep.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        if (runtime.provider() == ExecutionProvider.CUDA) {
            options.addCUDA();
        }
        return options;
    }
}
