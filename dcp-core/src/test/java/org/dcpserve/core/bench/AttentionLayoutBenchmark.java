package org.dcpserve.core.bench;

import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.dcpserve.core.onnx.OnnxGraph;

/**
 * Micro-benchmark behind the choice of the attention sub-graph (not a test): one decode token's attention
 * over a GPT-2-small-shaped cache (12 heads x 64), comparing the cache layout [S, H, hd] (transposed
 * inside the graph, a copy of K and V per call) with [H, S, hd] (K^T fused into the MatMul, no copy),
 * and B per-sequence calls with one padded call over [B, H, S, hd].
 *
 * <pre>java -cp ... org.dcpserve.core.bench.AttentionLayoutBenchmark [threads]</pre>
 */
public final class AttentionLayoutBenchmark {

    private static final int H = 12;
    private static final int HD = 64;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            OrtSession slotMajor = ENV.createSession(slotMajor().toModel().toByteArray(), options);
            OrtSession headMajor = ENV.createSession(headMajor(false).toModel().toByteArray(), options);
            OrtSession padded = ENV.createSession(headMajor(true).toModel().toByteArray(), options);
            System.out.printf("threads %d; microseconds per call (per sequence for the padded batch)%n", threads);
            System.out.printf("%6s %14s %14s %18s %18s%n", "S", "[S,H,hd]", "[H,S,hd]", "16 calls [H,S,hd]", "1 call [16,H,S,hd]");
            for (int s : new int[] {16, 256, 1024, 2048}) {
                double a = time(slotMajor, s, false, false, 1);
                double b = time(headMajor, s, true, false, 1);
                double c = time(headMajor, s, true, false, 16);
                double d = time(padded, s, true, true, 16);
                System.out.printf("%6d %14.1f %14.1f %18.1f %18.1f%n", s, a, b, c, d);
            }
        }
    }

    /** The current graph: k, v [S, H, hd] transposed inside (perm 1,2,0 and 1,0,2: copies). */
    private static OnnxGraph slotMajor() {
        OnnxGraph g = new OnnxGraph("slot_major");
        String q = g.floatInput("q", "T", H, HD);
        String k = g.floatInput("k", "S", H, HD);
        String v = g.floatInput("v", "S", H, HD);
        String mask = g.floatInput("mask", "T", "S");
        String qh = g.opWith("Transpose", new String[] {q}, Attribute.ints("perm", 1, 0, 2));          // [H, T, hd]
        String kt = g.opWith("Transpose", new String[] {k}, Attribute.ints("perm", 1, 2, 0));          // [H, hd, S]
        String scores = g.op("Add", g.op("Mul", g.op("MatMul", qh, kt), g.scalar(0.125f)), mask);     // [H, T, S]
        String probs = g.opWith("Softmax", new String[] {scores}, Attribute.of("axis", -1L));
        String vh = g.opWith("Transpose", new String[] {v}, Attribute.ints("perm", 1, 0, 2));          // [H, S, hd]
        g.floatOutput(g.op("MatMul", probs, vh), "ctx", H, "T", HD);
        return g;
    }

    /** k, v [(B,) H, S, hd]: K^T is the last two axes, which ONNX Runtime fuses into the MatMul. */
    private static OnnxGraph headMajor(boolean batched) {
        OnnxGraph g = new OnnxGraph("head_major");
        Object[] lead = batched ? new Object[] {"B", H} : new Object[] {H};
        String q = g.floatInput("q", concat(lead, "T", HD));
        String k = g.floatInput("k", concat(lead, "S", HD));
        String v = g.floatInput("v", concat(lead, "S", HD));
        String mask = g.floatInput("mask", batched ? new Object[] {"B", 1, "T", "S"} : new Object[] {"T", "S"});
        String kt = g.opWith("Transpose", new String[] {k}, Attribute.ints("perm", batched ? new long[] {0, 1, 3, 2} : new long[] {0, 2, 1}));
        String scores = g.op("Add", g.op("Mul", g.op("MatMul", q, kt), g.scalar(0.125f)), mask);
        String probs = g.opWith("Softmax", new String[] {scores}, Attribute.of("axis", -1L));
        g.floatOutput(g.op("MatMul", probs, v), "ctx", concat(lead, "T", HD));
        return g;
    }

    private static Object[] concat(Object[] lead, Object... rest) {
        Object[] out = new Object[lead.length + rest.length];
        System.arraycopy(lead, 0, out, 0, lead.length);
        System.arraycopy(rest, 0, out, lead.length, rest.length);
        return out;
    }

    /** Mean microseconds per sequence over about a second of calls; {@code sequences} separate caches. */
    private static double time(OrtSession session, int s, boolean headFirst, boolean padded, int sequences) throws Exception {
        int batch = padded ? sequences : 1;
        int calls = padded ? 1 : sequences;
        FloatBuffer[] k = new FloatBuffer[calls];
        FloatBuffer[] v = new FloatBuffer[calls];
        for (int i = 0; i < calls; i++) {
            k[i] = random(batch * s * H * HD);
            v[i] = random(batch * s * H * HD);
        }
        FloatBuffer q = random(batch * H * HD);
        FloatBuffer mask = direct(batch * s);
        long[] qShape = padded ? new long[] {batch, H, 1, HD} : headFirst ? new long[] {H, 1, HD} : new long[] {1, H, HD};
        long[] kvShape = padded ? new long[] {batch, H, s, HD} : headFirst ? new long[] {H, s, HD} : new long[] {s, H, HD};
        long[] maskShape = padded ? new long[] {batch, 1, 1, s} : new long[] {1, s};
        long iterations = 0;
        long start = System.nanoTime();
        long warmEnd = start + 300_000_000L;
        long measureStart = 0;
        while (true) {
            long now = System.nanoTime();
            if (measureStart == 0 && now > warmEnd) {
                measureStart = now;
                iterations = 0;
            }
            if (measureStart != 0 && now - measureStart > 1_000_000_000L) {
                return (now - measureStart) / 1e3 / iterations / sequences;
            }
            for (int i = 0; i < calls; i++) {
                try (OnnxTensor tq = OnnxTensor.createTensor(ENV, q, qShape);
                     OnnxTensor tk = OnnxTensor.createTensor(ENV, k[i], kvShape);
                     OnnxTensor tv = OnnxTensor.createTensor(ENV, v[i], kvShape);
                     OnnxTensor tm = OnnxTensor.createTensor(ENV, mask, maskShape);
                     OrtSession.Result r = session.run(Map.of("q", tq, "k", tk, "v", tv, "mask", tm))) {
                    r.get(0);
                }
            }
            iterations++;
        }
    }

    private static FloatBuffer random(int n) {
        FloatBuffer b = direct(n);
        java.util.SplittableRandom random = new java.util.SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (float) random.nextDouble(-1, 1));
        }
        return b;
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
