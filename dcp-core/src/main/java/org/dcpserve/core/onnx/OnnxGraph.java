package org.dcpserve.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.WeightSource;

/**
 * A small fluent writer of ONNX graphs with standard operators only (opset 17). Every node gets an
 * output name derived from a running counter unless one is given, so graph code reads like the math:
 * {@code String h = g.op("MatMul", x, w);}.
 *
 * <p>Model weights are written into the graph, or, in a graph made by {@link #withExternalWeights}, only declared:
 * an initializer with the weight's name, type and shape whose data is external, for ONNX Runtime to be given when
 * it builds the session ({@code SessionOptions.addExternalInitializers}). Such a graph is a few kilobytes however
 * large the model, and the weights go from their source into ONNX Runtime's own copy without passing through the
 * protobuf encoding (a 1 GB weight peaked at seven times its size: {@code WeightPlacementBenchmark inline-gather}).
 */
public final class OnnxGraph {

    /** ONNX operator set the graphs are written against; every op used exists in ONNX Runtime's CPU provider. */
    public static final int OPSET = 17;
    private static final int IR_VERSION = 8;
    /**
     * The file an external initializer names. ONNX Runtime replaces such initializers with the tensors given to the
     * session before it reads any file; a graph whose weights were not given fails to load, naming this file.
     */
    public static final String EXTERNAL_LOCATION = "weights-given-to-the-session";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final boolean externalWeights;
    private int counter;

    public OnnxGraph(String name) {
        this(name, false);
    }

    private OnnxGraph(String name, boolean externalWeights) {
        graph.setName(name);
        this.externalWeights = externalWeights;
    }

    /** A graph whose model weights ({@link #weight(String, WeightSource)}) are external initializers. */
    public static OnnxGraph withExternalWeights(String name) {
        return new OnnxGraph(name, true);
    }

    /** The model weight {@code name} of {@code source}: written into the graph, or declared external (see above). */
    public String weight(String name, WeightSource source) {
        if (!externalWeights) {
            return weight(name, source.tensor(name));
        }
        TensorProto.Builder proto = TensorProto.newBuilder().setName(name);
        for (int dim : source.shape(name)) {
            proto.addDims(dim);
        }
        graph.addInitializer(declaredExternal(proto));
        return name;
    }

    /** A float32 initializer with {@code tensor}'s name and dims, its data external (see above). */
    public static TensorProto declaredExternal(TensorProto.Builder tensor) {
        long size = 1;
        for (long dim : tensor.getDimsList()) {
            size *= dim;
        }
        return tensor.clearRawData()
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(EXTERNAL_LOCATION))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length")
                        .setValue(Long.toString(size * Float.BYTES)))
                .build();
    }

    /** Declares a float32 graph input; a dimension is a number or a symbolic name such as "T". */
    public String floatInput(String name, Object... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
        return name;
    }

    public String int64Input(String name, Object... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.INT64, dims));
        return name;
    }

    /** Marks {@code value} as the float32 graph output {@code name}. */
    public void floatOutput(String value, String name, Object... dims) {
        op("Identity", new String[] {value}, name);
        graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    }

    /** A named float32 weight stored in the graph (raw little-endian data). */
    public String weight(String name, FloatTensor tensor) {
        ByteBuffer bytes = ByteBuffer.allocate(tensor.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(tensor.data());
        TensorProto.Builder proto = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (int dim : tensor.shape()) {
            proto.addDims(dim);
        }
        graph.addInitializer(proto);
        return name;
    }

    /** A float32 constant of any shape (a scalar when no dims are given). */
    public String constant(float[] values, int... dims) {
        return weight(fresh("const"), new FloatTensor(values, dims.length == 0 && values.length == 1 ? new int[0] : dims));
    }

    public String scalar(float value) {
        return constant(new float[] {value});
    }

    /** An int64 vector constant, as used for shapes and axes. */
    public String ints(long... values) {
        TensorProto.Builder proto = TensorProto.newBuilder()
                .setName(fresh("ints"))
                .setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length);
        for (long value : values) {
            proto.addInt64Data(value);
        }
        graph.addInitializer(proto);
        return proto.getName();
    }

    /** Adds a node with one output and returns the output's name. */
    public String op(String opType, String... inputs) {
        return op(opType, inputs, fresh(opType.toLowerCase()));
    }

    /** Adds a node with one named output. */
    public String op(String opType, String[] inputs, String output, Attribute... attributes) {
        return opMulti(opType, inputs, new String[] {output}, attributes)[0];
    }

    /** Adds a node with one output and attributes. */
    public String opWith(String opType, String[] inputs, Attribute... attributes) {
        return op(opType, inputs, fresh(opType.toLowerCase()), attributes);
    }

    /** Adds a node with several outputs. */
    public String[] opMulti(String opType, String[] inputs, String[] outputs, Attribute... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(fresh("node_" + opType));
        for (String input : inputs) {
            node.addInput(input);
        }
        for (String output : outputs) {
            node.addOutput(output);
        }
        for (Attribute attribute : attributes) {
            node.addAttribute(attribute.proto());
        }
        graph.addNode(node);
        return outputs;
    }

    public String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    public ModelProto toModel() {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("dcp-serve")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dim instanceof Integer size) {
                d.setDimValue(size);
            } else {
                d.setDimParam(dim.toString());
            }
            shape.addDim(d);
        }
        TypeProto type1 = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type1).build();
    }

    /** A node attribute. */
    public record Attribute(AttributeProto proto) {

        public static Attribute of(String name, long value) {
            return new Attribute(AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.INT).setI(value).build());
        }

        public static Attribute of(String name, float value) {
            return new Attribute(AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.FLOAT).setF(value).build());
        }

        public static Attribute ints(String name, long... values) {
            AttributeProto.Builder proto = AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.INTS);
            for (long value : values) {
                proto.addInts(value);
            }
            return new Attribute(proto.build());
        }
    }
}
