package org.dcpserve.core.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.onnx.OnnxGraph;

/**
 * Micro-benchmark behind the batch-16 weight share (not a test): how fast ONNX Runtime's float32 MatMul runs
 * one GPT-2 MLP matrix ([768, 3072], 9.4 MB, so it stays in this machine's cache between calls) over M rows,
 * M = 1, 16, 64, with every core. One row is a matrix-vector product bound by reading the weights; 16 rows do
 * 16 times the arithmetic on the same bytes, and how much longer they take shows whether a batch-16 step's
 * weight part is bound by bytes or by arithmetic.
 *
 * <pre>java -cp ... org.dcpserve.core.bench.MatMulRowsBenchmark</pre>
 */
public final class MatMulRowsBenchmark {

    private static final int K = 768;
    private static final int N = 3072;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        OnnxGraph g = new OnnxGraph("matmul");
        String x = g.floatInput("x", "M", K);
        float[] weights = new float[K * N];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextDouble(-0.05, 0.05);
        }
        g.floatOutput(g.op("MatMul", x, g.constant(weights, K, N)), "y", "M", N);   // [M, K] x [K, N] -> [M, N]
        byte[] model = g.toModel().toByteArray();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            options.addConfigEntry("session.intra_op.allow_spinning", "0");   // as the engine runs it
            try (OrtSession session = ENV.createSession(model, options)) {
                System.out.println("rows, microseconds per call, GFLOP/s, weight GB/s");
                for (int round = 0; round < 3; round++) {
                    for (int m : new int[] {1, 16, 64}) {
                        double micros = time(session, m);
                        System.out.printf("%4d  %8.1f  %7.1f  %6.1f%n", m, micros, 2.0 * m * K * N / micros / 1e3,
                                4.0 * K * N / micros / 1e3);
                    }
                }
            }
        }
    }

    private static double time(OrtSession session, int m) throws Exception {
        FloatBuffer in = direct(m * K);
        FloatBuffer out = direct(m * N);
        return CallTimer.microsPerCall(() -> {
            try (OnnxTensor x = OnnxTensor.createTensor(ENV, in, new long[] {m, K});
                 OnnxTensor y = OnnxTensor.createTensor(ENV, out, new long[] {m, N});
                 OrtSession.Result ignored = session.run(Map.of("x", x), Map.of("y", y))) {
                // y is written into out
            }
        });
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
