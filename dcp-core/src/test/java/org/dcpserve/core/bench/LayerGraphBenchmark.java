package org.dcpserve.core.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.RandomWeights;
import org.dcpserve.core.onnx.GraphSet;

/**
 * Micro-benchmark behind the lean layer graphs (not a test): a model's projection and output graphs as this
 * build writes them (random weights of the package's shape), the nodes ONNX Runtime leaves after its fusions,
 * and the time of one call over N rows with 1 and 2 threads. For a model as small as stories260K a step costs
 * per node; run it in two builds to compare them.
 *
 * <pre>java -cp ... org.dcpserve.core.bench.LayerGraphBenchmark &lt;package dir&gt; [rows, default 64]</pre>
 */
public final class LayerGraphBenchmark {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        ModelConfig config = ModelPackage.readConfig(Path.of(args[0]));
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        GraphSet graphs = GraphSet.build(config, RandomWeights.of(config, 1));
        Map<String, byte[]> layer = Map.of("projection", graphs.projection(1), "output", graphs.output(1));
        FloatBuffer hidden = direct(rows * config.dModel());
        FloatBuffer context = direct(rows * config.dModel());
        long[] positions = new long[rows];
        for (int i = 0; i < rows; i++) {
            positions[i] = 7L * i % config.contextLength();
        }
        for (String name : new String[] {"projection", "output"}) {
            for (int threads = 1; threads <= 2; threads++) {
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    options.setIntraOpNumThreads(threads);
                    options.addConfigEntry("session.intra_op.allow_spinning", "0");   // as the engine runs it
                    Path optimized = Files.createTempFile("optimized-" + name, ".onnx");
                    options.setOptimizedModelFilePath(optimized.toString());
                    try (OrtSession session = ENV.createSession(layer.get(name), options)) {
                        int nodes = ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeCount();
                        double micros = CallTimer.microsPerCall(() -> run(session, config, rows, hidden, context, positions));
                        System.out.printf("%-10s %2d nodes, %d rows, %d threads: %7.1f us%n", name, nodes, rows, threads, micros);
                    } finally {
                        Files.deleteIfExists(optimized);
                    }
                }
            }
        }
    }

    private static void run(OrtSession session, ModelConfig config, int rows, FloatBuffer hidden, FloatBuffer context,
                            long[] positions) throws Exception {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("hidden", OnnxTensor.createTensor(ENV, hidden, new long[] {rows, config.dModel()}));
        if (session.getInputNames().contains("context")) {
            inputs.put("context", OnnxTensor.createTensor(ENV, context, new long[] {rows, config.dModel()}));
        }
        if (session.getInputNames().contains("positions")) {
            inputs.put("positions", OnnxTensor.createTensor(ENV, LongBuffer.wrap(positions), new long[] {rows}));
        }
        try (OrtSession.Result ignored = session.run(inputs)) {
            // the outputs are dropped
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static FloatBuffer direct(int n) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            buffer.put(i, (float) Math.sin(i));
        }
        return buffer;
    }
}
