package org.dcpserve.core.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.WeightSource;
import org.dcpserve.core.onnx.OnnxGraph;
import org.dcpserve.core.onnx.OnnxGraph.Attribute;

/**
 * How ONNX Runtime holds one large weight, by the way it is given (not a test): the resident memory of one
 * Llama-3.2-1B embedding table (128,256 x 2048 float32, 1.05 GB) in a session, at its peak while the session is built
 * and once the Java copy is let go. Each mode runs in a JVM of its own, so peaks do not mix:
 *
 * <ul>
 *   <li>{@code inline-gather}: the weight written into the graph's protobuf, a Gather over it (how graphs were built);</li>
 *   <li>{@code external-gather}: declared external and given from a direct buffer ({@code addExternalInitializers});</li>
 *   <li>{@code external-matmul}: the same for a MatMul's right side, which ONNX Runtime packs;</li>
 *   <li>{@code shared-input}: a Gather session and a {@code Gemm transB} session both taking the table as an input
 *       tensor over one direct buffer (a tied head).</li>
 * </ul>
 *
 * {@code head-time D VOCAB} times the head of a model of width D: {@code MatMul} by a packed [D, VOCAB] initializer
 * (an untied head, or a tied one copied) against {@code Gemm transB} by the [VOCAB, D] table given as an input (a
 * tied head sharing the table), over 1 and 16 rows.
 *
 * <pre>java -cp ... org.dcpserve.core.bench.WeightPlacementBenchmark inline-gather|external-gather|external-matmul|shared-input
 * java -cp ... org.dcpserve.core.bench.WeightPlacementBenchmark head-time 2048 128256</pre>
 */
public final class WeightPlacementBenchmark {

    private static final int VOCAB = 128_256;
    private static final int D = 2048;
    private static final String W = "w";
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        if (args[0].equals("head-time")) {
            headTime(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        report("start");
        FloatBuffer table = randomTable(VOCAB, D);
        report("table in a direct buffer");
        switch (args[0]) {
            case "inline-gather" -> {
                float[] copy = new float[VOCAB * D];
                table.get(0, copy);
                table = null;
                byte[] graph = gather(new OnnxGraph("g"), new Weight(new FloatTensor(copy, VOCAB, D), null));
                copy = null;
                session(graph, Map.of(), "session from the graph's bytes");
            }
            case "external-gather", "external-matmul" -> {
                boolean matmul = args[0].equals("external-matmul");
                OnnxGraph g = OnnxGraph.withExternalWeights("g");
                Weight weight = new Weight(null, table, matmul ? new int[] {D, VOCAB} : new int[] {VOCAB, D});
                byte[] graph = matmul ? matmul(g, weight) : gather(g, weight);
                OnnxTensor tensor = OnnxTensor.createTensor(ENV, table, matmul ? new long[] {D, VOCAB} : new long[] {VOCAB, D});
                OrtSession session = session(graph, Map.of(W, tensor), "session given the direct buffer");
                tensor.close();
                table = null;
                tensor = null;
                weight = null;
                System.gc();
                Thread.sleep(500);
                report("direct buffer let go");
                session.close();
            }
            case "shared-input" -> {
                OnnxTensor tensor = OnnxTensor.createTensor(ENV, table, new long[] {VOCAB, D});
                OnnxGraph embed = new OnnxGraph("embed");
                embed.floatOutput(embed.op("Gather", embed.floatInput(W, VOCAB, D), embed.int64Input("ids", "T")), "y", "T", D);
                OnnxGraph head = new OnnxGraph("head");
                head.floatOutput(head.opWith("Gemm", new String[] {head.floatInput("x", "T", D), head.floatInput(W, VOCAB, D)},
                        Attribute.of("transB", 1L)), "y", "T", VOCAB);
                session(embed.toModel().toByteArray(), Map.of(), "embedding session");
                session(head.toModel().toByteArray(), Map.of(), "head session");
                tensor.close();
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** A weight named {@link #W}: a Java tensor, or a buffer (for an external initializer) with its shape. */
    private record Weight(FloatTensor tensor, FloatBuffer buffer, int... shape) implements WeightSource {
        public boolean contains(String name) {
            return name.equals(W);
        }

        public int[] shape(String name) {
            return tensor != null ? tensor.shape() : shape;
        }

        public void read(String name, FloatBuffer out) {
            out.put(0, buffer, 0, buffer.capacity());
        }

        public void readRows(String name, long[] rows, FloatBuffer out) {
            throw new UnsupportedOperationException("not used here");
        }

        public FloatTensor tensor(String name) {
            return tensor;
        }
    }

    private static byte[] gather(OnnxGraph g, WeightSource weight) {
        g.floatOutput(g.op("Gather", g.weight(W, weight), g.int64Input("ids", "T")), "y", "T", D);
        return g.toModel().toByteArray();
    }

    private static byte[] matmul(OnnxGraph g, WeightSource weight) {
        g.floatOutput(g.op("MatMul", g.floatInput("x", "T", D), g.weight(W, weight)), "y", "T", VOCAB);
        return g.toModel().toByteArray();
    }

    private static OrtSession session(byte[] graph, Map<String, OnnxTensorLike> external, String what) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (!external.isEmpty()) {
                options.addExternalInitializers(external);
            }
            OrtSession session = ENV.createSession(graph, options);
            report(what);
            return session;
        }
    }

    private static void headTime(int d, int vocab) throws Exception {
        FloatBuffer table = randomTable(vocab, d);
        float[] transposed = new float[vocab * d];
        for (int v = 0; v < vocab; v++) {
            for (int i = 0; i < d; i++) {
                transposed[i * vocab + v] = table.get(v * d + i);
            }
        }
        OnnxGraph packed = new OnnxGraph("packed");
        packed.floatOutput(packed.op("MatMul", packed.floatInput("x", "T", d),
                packed.weight(ModelWeights.LM_HEAD, new FloatTensor(transposed, d, vocab))), "y", "T", vocab);
        transposed = null;
        OnnxGraph shared = new OnnxGraph("shared");
        shared.floatOutput(shared.opWith("Gemm", new String[] {shared.floatInput("x", "T", d), shared.floatInput(W, vocab, d)},
                Attribute.of("transB", 1L)), "y", "T", vocab);
        OnnxGraph sharedColumns = new OnnxGraph("shared-columns");
        sharedColumns.floatOutput(sharedColumns.op("MatMul", sharedColumns.floatInput("x", "T", d),
                sharedColumns.floatInput(W, d, vocab)), "y", "T", vocab);
        OnnxTensor tableTensor = OnnxTensor.createTensor(ENV, table, new long[] {vocab, d});
        // The same bytes read as [d, vocab]: what is timed is the kernel over an input of that layout.
        OnnxTensor columnsTensor = OnnxTensor.createTensor(ENV, table, new long[] {d, vocab});
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession packedHead = ENV.createSession(packed.toModel().toByteArray(), options);
             OrtSession sharedHead = ENV.createSession(shared.toModel().toByteArray(), options);
             OrtSession columnsHead = ENV.createSession(sharedColumns.toModel().toByteArray(), options)) {
            for (int round = 1; round <= 3; round++) {
                for (int rows : new int[] {1, 16}) {
                    FloatBuffer x = ByteBuffer.allocateDirect(rows * d * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    OnnxTensor input = OnnxTensor.createTensor(ENV, x, new long[] {rows, d});
                    double packedMicros = CallTimer.microsPerCall(() -> packedHead.run(Map.of("x", input)).close());
                    double sharedMicros = CallTimer.microsPerCall(() -> sharedHead.run(Map.of("x", input, W, tableTensor)).close());
                    double columnsMicros = CallTimer.microsPerCall(() -> columnsHead.run(Map.of("x", input, W, columnsTensor)).close());
                    System.out.printf("round %d, %2d rows, head %d x %d: packed MatMul %.0f us; over a shared input: Gemm"
                            + " transB by [vocab, d] %.0f us (%.2fx), MatMul by [d, vocab] %.0f us (%.2fx)%n", round, rows, d,
                            vocab, packedMicros, sharedMicros, sharedMicros / packedMicros, columnsMicros, columnsMicros / packedMicros);
                    input.close();
                }
            }
        }
    }

    private static FloatBuffer randomTable(int rows, int cols) {
        FloatBuffer table = ByteBuffer.allocateDirect(rows * cols * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < rows * cols; i++) {
            table.put(i, (float) random.nextDouble(-0.03, 0.03));
        }
        return table;
    }

    private static void report(String phase) throws Exception {
        System.out.printf("%-34s VmHWM %s, VmRSS %s%n", phase + ":", status("VmHWM"), status("VmRSS"));
    }

    private static String status(String key) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }
}
