package org.dcpserve.core.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.TransformerGraphs;

/**
 * Micro-benchmark behind the attention graph's score floor (not a test): the graph over a pool of B = 64
 * stories260K-sized regions (8 heads, 4 KV heads, hd 8) of C = 144 slots, with every other slot masked
 * (-inf) or none, without the floor (masked slots get subnormal weights) and with it, alternating.
 *
 * <pre>java -cp ... org.dcpserve.core.bench.ScoreFloorBenchmark</pre>
 */
public final class ScoreFloorBenchmark {

    private static final int B = 64;
    private static final int C = 144;
    private static final int H = 8;
    private static final int HKV = 4;
    private static final int HD = 8;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 1, H * HD, H, HKV, 64,
                100, 512, 1e-5f, 10000f, null, null, null);
        byte[] floored = TransformerGraphs.attention(config).toByteArray();
        byte[] unfloored = TransformerGraphs.attention(config, Float.POSITIVE_INFINITY).toByteArray();
        FloatBuffer q = random(B * H * HD);
        FloatBuffer k = random(B * HKV * C * HD);
        FloatBuffer v = random(B * HKV * C * HD);
        FloatBuffer open = direct(B * C);
        FloatBuffer halfMasked = direct(B * C);
        for (int i = 0; i < B * C; i++) {
            halfMasked.put(i, i % 2 == 0 ? 0f : Float.NEGATIVE_INFINITY);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession without = ENV.createSession(unfloored, options);
                 OrtSession with = ENV.createSession(floored, options)) {
                System.out.println("microseconds per call: mask, no score floor, score floor (the engine's graph)");
                for (int round = 0; round < 3; round++) {
                    for (FloatBuffer mask : new FloatBuffer[] {open, halfMasked}) {
                        System.out.printf("%s  %8.1f  %8.1f%n", mask == open ? "none       " : "half -inf  ",
                                time(without, q, k, v, mask), time(with, q, k, v, mask));
                    }
                }
            }
        }
    }

    private static double time(OrtSession session, FloatBuffer q, FloatBuffer k, FloatBuffer v, FloatBuffer mask)
            throws Exception {
        return CallTimer.microsPerCall(() -> {
            try (OnnxTensor tq = OnnxTensor.createTensor(ENV, q, new long[] {B, 1, H, HD});
                 OnnxTensor tk = OnnxTensor.createTensor(ENV, k, new long[] {B, HKV, C, HD});
                 OnnxTensor tv = OnnxTensor.createTensor(ENV, v, new long[] {B, HKV, C, HD});
                 OnnxTensor tm = OnnxTensor.createTensor(ENV, mask, new long[] {B, 1, C});
                 OrtSession.Result r = session.run(Map.of("q", tq, "k_cache", tk, "v_cache", tv, "mask", tm))) {
                r.get(0);
            }
        });
    }

    private static FloatBuffer random(int n) {
        FloatBuffer buffer = direct(n);
        SplittableRandom random = new SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            buffer.put(i, (float) random.nextDouble(-1, 1));
        }
        return buffer;
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
