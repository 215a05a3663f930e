package org.dcpserve.core.bench;

import static org.dcpserve.core.onnx.OnnxGraph.Attribute;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.onnx.OnnxGraph;

/**
 * Micro-benchmark behind the single-stream profile of the Qwen2.5-0.5B shape (not a test): one row through the
 * same 545 MB of float32 weights laid out three ways, with every core, the graphs alternating within each round:
 * <ul>
 *   <li>{@code head}: the engine's LM head, MatMul [1, 896] x [896, 151936];
 *   <li>{@code head-gemm}: Gemm with the weight stored [151936, 896] (transB, the embedding's own layout);
 *   <li>{@code head-split}: the head cut along the vocabulary into 8 MatMuls [896, 18992], concatenated;
 *   <li>{@code layers}: 32 MatMuls [1, 896] x [896, 4864] (the MLP's gate and up shape), summed, the same bytes.
 * </ul>
 * Prints milliseconds per call and the weight bytes read per second (the layers read 31 x 17.4 MB = 540 MB).
 *
 * <pre>java -cp ... org.dcpserve.core.bench.HeadLayoutBenchmark [rounds]</pre>
 */
public final class HeadLayoutBenchmark {

    private static final int D = 896;
    private static final int VOCAB = 151_936;
    private static final int MLP = 4864;
    private static final int LAYER_MATRICES = VOCAB / MLP;   // 31: about the head's bytes
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private record Layout(String name, OrtSession session, long weightBytes) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        SplittableRandom random = new SplittableRandom(1);
        List<Layout> layouts = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            options.addConfigEntry("session.intra_op.allow_spinning", "0");   // as the engine runs it
            layouts.add(new Layout("head", ENV.createSession(head(random), options), 4L * D * VOCAB));
            layouts.add(new Layout("head-gemm", ENV.createSession(headGemm(random), options), 4L * D * VOCAB));
            layouts.add(new Layout("head-split", ENV.createSession(headSplit(random), options), 4L * D * VOCAB));
            layouts.add(new Layout("layers", ENV.createSession(layers(random), options), 4L * LAYER_MATRICES * D * MLP));
            System.out.println("round, layout, ms per call, weight GB/s");
            FloatBuffer in = direct(D);
            for (int round = 1; round <= rounds; round++) {
                for (Layout layout : layouts) {
                    double micros = CallTimer.microsPerCall(() -> {
                        try (OnnxTensor x = OnnxTensor.createTensor(ENV, in, new long[] {1, D});
                             OrtSession.Result ignored = layout.session().run(Map.of("x", x))) {
                            // the output is dropped
                        }
                    });
                    System.out.printf("%d, %s, %.2f, %.1f%n", round, layout.name(), micros / 1e3,
                            layout.weightBytes() / micros / 1e3);
                }
            }
        } finally {
            for (Layout layout : layouts) {
                layout.session().close();
            }
        }
    }

    private static byte[] head(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph("head");
        String x = g.floatInput("x", 1, D);
        g.floatOutput(g.op("MatMul", x, g.constant(noise(random, D * VOCAB), D, VOCAB)), "y", 1, VOCAB); // [1, vocab]
        return g.toModel().toByteArray();
    }

    private static byte[] headGemm(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph("head_gemm");
        String x = g.floatInput("x", 1, D);
        String y = g.opWith("Gemm", new String[] {x, g.constant(noise(random, D * VOCAB), VOCAB, D)},
                Attribute.of("transB", 1L));                                                          // [1, vocab]
        g.floatOutput(y, "y", 1, VOCAB);
        return g.toModel().toByteArray();
    }

    private static byte[] headSplit(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph("head_split");
        String x = g.floatInput("x", 1, D);
        int parts = 8;
        String[] slices = new String[parts];
        for (int i = 0; i < parts; i++) {
            slices[i] = g.op("MatMul", x, g.constant(noise(random, D * (VOCAB / parts)), D, VOCAB / parts)); // [1, vocab/8]
        }
        g.floatOutput(g.opWith("Concat", slices, Attribute.of("axis", 1L)), "y", 1, VOCAB);             // [1, vocab]
        return g.toModel().toByteArray();
    }

    private static byte[] layers(SplittableRandom random) {
        OnnxGraph g = new OnnxGraph("layers");
        String x = g.floatInput("x", 1, D);
        String[] outputs = new String[LAYER_MATRICES];
        for (int i = 0; i < LAYER_MATRICES; i++) {
            outputs[i] = g.op("MatMul", x, g.constant(noise(random, D * MLP), D, MLP));             // [1, 4864]
        }
        g.floatOutput(g.op("Sum", outputs), "y", 1, MLP);
        return g.toModel().toByteArray();
    }

    private static float[] noise(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-0.05, 0.05);
        }
        return values;
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
