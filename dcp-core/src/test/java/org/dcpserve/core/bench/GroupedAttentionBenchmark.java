package org.dcpserve.core.bench;

import static org.dcpserve.core.onnx.OnnxGraph.Attribute;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.onnx.OnnxGraph;

/**
 * Micro-benchmark (not a test) of one idea for small models, where a batched step is per-call overhead:
 * one graph holding G independent copies of the attention sub-graph (stories260K's shape: 8 heads, 4 KV
 * heads, head dim 8), called once for G sequences, each over its own cache view, against one call per
 * sequence. Prints microseconds for the attention of 64 sequences at S = 200.
 *
 * <pre>java -cp ... org.dcpserve.core.bench.GroupedAttentionBenchmark [threads]</pre>
 */
public final class GroupedAttentionBenchmark {
    private static final int H = 8, HKV = 4, HD = 8, D = 64;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    /** One sequence's attention, its tensors named with {@code sfx}: q [T, H, hd], k, v [S, Hkv, hd], mask [T, S]. */
    private static void attention(OnnxGraph g, String sfx) {
        String q = g.floatInput("q" + sfx, "T" + sfx, H, HD);
        String k = g.floatInput("k" + sfx, "S" + sfx, HKV, HD);
        String v = g.floatInput("v" + sfx, "S" + sfx, HKV, HD);
        String mask = g.floatInput("mask" + sfx, "T" + sfx, "S" + sfx);
        String qh = g.opWith("Transpose", new String[] {q}, Attribute.ints("perm", 1, 0, 2));
        String qg = g.op("Reshape", qh, g.ints(HKV, -1, HD));
        String kt = g.opWith("Transpose", new String[] {k}, Attribute.ints("perm", 1, 2, 0));
        String scores = g.op("Mul", g.op("MatMul", qg, kt), g.scalar(0.35f));
        scores = g.op("Add", g.op("Reshape", scores, g.ints(H, -1, 0)), mask);
        String probs = g.opWith("Softmax", new String[] {scores}, Attribute.of("axis", -1L));
        String vh = g.opWith("Transpose", new String[] {v}, Attribute.ints("perm", 1, 0, 2));
        String ctx = g.op("MatMul", g.op("Reshape", probs, g.ints(HKV, -1, 0)), vh);
        ctx = g.opWith("Transpose", new String[] {g.op("Reshape", ctx, g.ints(H, -1, HD))}, Attribute.ints("perm", 1, 0, 2));
        g.floatOutput(g.op("Reshape", ctx, g.ints(-1, D)), "context" + sfx, "T" + sfx, D);
    }
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int S = 200, B = 64;
        for (int G : new int[] {1, 4, 16, 64}) {
            OnnxGraph g = new OnnxGraph("g");
            for (int i = 0; i < G; i++) attention(g, "_" + i);
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.setIntraOpNumThreads(threads);
                o.addConfigEntry("session.intra_op.allow_spinning", "0");
                OrtSession s = ENV.createSession(g.toModel().toByteArray(), o);
                FloatBuffer[] k = new FloatBuffer[B], v = new FloatBuffer[B], out = new FloatBuffer[B];
                for (int i = 0; i < B; i++) { k[i] = dir(S * HKV * HD); v[i] = dir(S * HKV * HD); out[i] = dir(D); }
                FloatBuffer q = dir(H * HD), m = dir(S);
                double best = 1e9;
                for (int rep = 0; rep < 5; rep++) {
                    long t0 = System.nanoTime();
                    int iters = 200;
                    for (int it = 0; it < iters; it++) {
                        for (int c = 0; c < B / G; c++) {
                            Map<String, OnnxTensor> in = new HashMap<>();
                            Map<String, OnnxValue> pin = new HashMap<>();
                            List<OnnxTensor> all = new ArrayList<>();
                            for (int j = 0; j < G; j++) {
                                int i = c * G + j;
                                String sf = "_" + j;
                                OnnxTensor tq = OnnxTensor.createTensor(ENV, q, new long[] {1, H, HD});
                                OnnxTensor tk = OnnxTensor.createTensor(ENV, k[i], new long[] {S, HKV, HD});
                                OnnxTensor tv = OnnxTensor.createTensor(ENV, v[i], new long[] {S, HKV, HD});
                                OnnxTensor tm = OnnxTensor.createTensor(ENV, m, new long[] {1, S});
                                OnnxTensor to = OnnxTensor.createTensor(ENV, out[i], new long[] {1, D});
                                in.put("q" + sf, tq); in.put("k" + sf, tk); in.put("v" + sf, tv); in.put("mask" + sf, tm);
                                pin.put("context" + sf, to);
                                all.addAll(List.of(tq, tk, tv, tm, to));
                            }
                            try (OrtSession.Result r = s.run(in, pin)) { }
                            for (OnnxTensor t : all) t.close();
                        }
                    }
                    best = Math.min(best, (System.nanoTime() - t0) / 1e3 / iters);
                }
                System.out.printf("threads %d G %2d: %.0f us for %d sequences' attention (%.1f us each)%n", threads, G, best, B, best / B);
            }
        }
    }
    private static FloatBuffer dir(int n) {
        FloatBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            b.put(i, (float) Math.sin(i));
        }
        return b;
    }
}
