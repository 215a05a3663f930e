package org.dcpserve.core.engine;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dcpserve.core.model.WeightSource;
import org.dcpserve.core.onnx.OnnxGraph;

/**
 * The large float32 weights of a graph that carries them (a model package's), taken out of it: the graph is
 * rewritten with those initializers declared external, and this source gives their values from the graph's own
 * bytes (parsed with aliasing, so not copied), for {@link SessionBuilder} to hand over as it does for graphs built
 * for sessions. Given inside the graph, ONNX Runtime kept more than one copy of them after building the session:
 * a Llama-3.2-1B package stayed at 11.3 GB for 6 GB of weights.
 */
final class InlineWeights implements WeightSource {

    /** Initializers smaller than this stay in the graph. */
    private static final int EXTERNAL_FROM = 1 << 20;

    private final Map<String, TensorProto> tensors;

    private InlineWeights(Map<String, TensorProto> tensors) {
        this.tensors = tensors;
    }

    /** The graph with its large float32 initializers external, and them; the graph as it is when it has none. */
    record Split(ModelProto graph, InlineWeights weights) {
    }

    static Split of(ModelProto model) {
        Map<String, TensorProto> moved = new LinkedHashMap<>();
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto tensor = graph.getInitializer(i);
            if (tensor.getDataType() == TensorProto.DataType.FLOAT.getNumber()
                    && tensor.getRawData().size() >= EXTERNAL_FROM) {
                moved.put(tensor.getName(), tensor);
                graph.setInitializer(i, OnnxGraph.declaredExternal(tensor.toBuilder()));
            }
        }
        return moved.isEmpty() ? new Split(model, null)
                : new Split(model.toBuilder().setGraph(graph).build(), new InlineWeights(moved));
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public int[] shape(String name) {
        return entry(name).getDimsList().stream().mapToInt(Long::intValue).toArray();
    }

    @Override
    public void read(String name, FloatBuffer out) {
        ByteString raw = entry(name).getRawData();
        out.put(0, raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(), 0, raw.size() / Float.BYTES);
    }

    @Override
    public void readRows(String name, long[] rows, FloatBuffer out) {
        throw new UnsupportedOperationException("rows of a graph's initializer are never looked up");
    }

    private TensorProto entry(String name) {
        TensorProto tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("no initializer '" + name + "' was taken out of the graph");
        }
        return tensor;
    }
}
