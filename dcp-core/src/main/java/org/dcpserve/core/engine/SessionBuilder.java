package org.dcpserve.core.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dcpserve.core.model.WeightSource;

/**
 * Creates the ONNX Runtime sessions of one model's graphs. A graph built for sessions declares its weights as
 * external initializers ({@link org.dcpserve.core.onnx.OnnxGraph#withExternalWeights}): they are read from the
 * model's {@link WeightSource} into native staging memory and handed to ONNX Runtime, which copies them into its own
 * memory while it builds the session (and, for a MatMul, packs them and drops the unpacked copy), so the staging
 * memory is freed as soon as the session exists. At no point does Java hold more than one graph's weights.
 */
final class SessionBuilder {

    /** Staged tensors start on cache-line boundaries. */
    private static final int ALIGNMENT = 64;

    private final OrtEnvironment env;
    private final RuntimeOptions runtime;
    private final Optional<WeightSource> weights;

    SessionBuilder(OrtEnvironment env, RuntimeOptions runtime, Optional<WeightSource> weights) {
        this.env = env;
        this.runtime = runtime;
        this.weights = weights;
    }

    /**
     * The session of one serialized graph, given the weights it declares external; a graph that carries large
     * weights has them taken out first ({@link InlineWeights}) and given the same way.
     */
    OrtSession create(byte[] serialized) throws OrtException {
        InlineWeights.Split split = InlineWeights.of(parse(serialized));
        byte[] graph = split.weights() == null ? serialized : split.graph().toByteArray();
        List<TensorProto> external = externalInitializers(split.graph());
        if (external.isEmpty()) {
            try (OrtSession.SessionOptions options = sessionOptions(runtime)) {
                return env.createSession(graph, options);
            }
        }
        WeightSource source = split.weights() != null ? split.weights() : weights.orElseThrow(() -> new IllegalStateException(
                "the graph declares external weights " + external.get(0).getName() + "... and no weights were given"));
        long bytes = 0;
        for (TensorProto tensor : external) {
            bytes += aligned(source.size(tensor.getName()) * Float.BYTES);
        }
        // Closing the staging memory also returns what ONNX Runtime freed of its own copies of these weights.
        try (NativeMemory staging = NativeMemory.allocate(bytes, external.get(0).getName() + " and the rest of its graph")) {
            Map<String, OnnxTensorLike> tensors = new LinkedHashMap<>();
            try (OrtSession.SessionOptions options = sessionOptions(runtime)) {
                stage(external, source, staging, tensors);
                options.addExternalInitializers(tensors);
                return env.createSession(graph, options);
            } finally {
                tensors.values().forEach(tensor -> ((OnnxTensor) tensor).close());
            }
        }
    }

    /** Reads every external initializer into a slice of the staging memory, as tensors over the slices. */
    private void stage(List<TensorProto> external, WeightSource source, NativeMemory staging,
                       Map<String, OnnxTensorLike> tensors) throws OrtException {
        int offset = 0;
        for (TensorProto tensor : external) {
            String name = tensor.getName();
            int size = Math.toIntExact(source.size(name) * Float.BYTES);
            FloatBuffer slice = staging.buffer().slice(offset, size).order(ByteOrder.nativeOrder()).asFloatBuffer();
            source.read(name, slice);
            tensors.put(name, OnnxTensor.createTensor(env, slice, longs(source.shape(name))));
            offset += Math.toIntExact(aligned(size));
        }
    }

    private static long aligned(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static List<TensorProto> externalInitializers(ModelProto model) {
        List<TensorProto> external = new ArrayList<>();
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                external.add(tensor);
            }
        }
        return external;
    }

    /** The graph, its weights' bytes aliased rather than copied. */
    private static ModelProto parse(byte[] graph) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(graph);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            return ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new IllegalStateException("not an ONNX model: " + e.getMessage(), e);
        }
    }

    private static long[] longs(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
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
