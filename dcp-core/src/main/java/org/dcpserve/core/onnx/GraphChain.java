package org.dcpserve.core.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Joins two sub-graphs into one, so that ONNX Runtime runs them in one call: some inputs of the second are fed
 * by outputs of the first, inputs both have (such as {@code positions}) are one input, and the outputs of
 * both are outputs of the chain. The engine chains a layer's output graph with the next layer's projection
 * (nothing happens in Java between them), which saves a native call, its tensors and a thread-pool wake-up
 * per layer. Every name the second graph defines for itself (its nodes, initializers and intermediate
 * values) gets a prefix, since both graphs were written with the same fresh-name counter.
 */
public final class GraphChain {

    private GraphChain() {
    }

    /**
     * @param links the second graph's input -> the first graph's output that feeds it
     * @throws IllegalArgumentException when the graphs use other operator sets, a link names a missing input or
     *                                  output, or an output of the second clashes with a name of the first
     */
    public static byte[] chain(byte[] first, byte[] second, Map<String, String> links) {
        try {
            return chain(ModelProto.parseFrom(first), ModelProto.parseFrom(second), links).toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
    }

    static ModelProto chain(ModelProto first, ModelProto second, Map<String, String> links) {
        if (!first.getOpsetImportList().equals(second.getOpsetImportList())) {
            throw new IllegalArgumentException("the graphs use different operator sets");
        }
        GraphProto a = first.getGraph();
        GraphProto b = second.getGraph();
        Set<String> firstInputs = names(a.getInputList());
        Set<String> firstOutputs = names(a.getOutputList());
        Map<String, String> renamed = new HashMap<>();
        for (ValueInfoProto input : b.getInputList()) {
            String feed = links.get(input.getName());
            if (feed != null && !firstOutputs.contains(feed)) {
                throw new IllegalArgumentException(a.getName() + " has no output " + feed);
            }
            renamed.put(input.getName(), feed != null ? feed : input.getName());
        }
        for (String linked : links.keySet()) {
            if (!renamed.containsKey(linked)) {
                throw new IllegalArgumentException(b.getName() + " has no input " + linked);
            }
        }
        Set<String> firstNames = definedNames(a);
        for (ValueInfoProto output : b.getOutputList()) {
            if (firstNames.contains(output.getName())) {
                throw new IllegalArgumentException("both graphs define " + output.getName());
            }
            renamed.put(output.getName(), output.getName());
        }
        String prefix = b.getName() + "/";

        GraphProto.Builder chained = a.toBuilder().setName(a.getName() + "+" + b.getName());
        for (ValueInfoProto input : b.getInputList()) {
            if (!links.containsKey(input.getName()) && !firstInputs.contains(input.getName())) {
                chained.addInput(input);
            }
        }
        chained.addAllOutput(b.getOutputList());
        for (TensorProto initializer : b.getInitializerList()) {
            chained.addInitializer(initializer.toBuilder().setName(prefix + initializer.getName()));
        }
        for (NodeProto node : b.getNodeList()) {
            NodeProto.Builder copy = node.toBuilder().setName(prefix + node.getName()).clearInput().clearOutput();
            for (String input : node.getInputList()) {
                copy.addInput(input.isEmpty() ? input : renamed.getOrDefault(input, prefix + input)); // "": absent
            }
            for (String output : node.getOutputList()) {
                copy.addOutput(renamed.getOrDefault(output, prefix + output));
            }
            chained.addNode(copy);
        }
        for (ValueInfoProto info : b.getValueInfoList()) {
            chained.addValueInfo(info.toBuilder().setName(renamed.getOrDefault(info.getName(), prefix + info.getName())));
        }
        return first.toBuilder().setGraph(chained).build();
    }

    private static Set<String> names(Iterable<ValueInfoProto> values) {
        Set<String> names = new HashSet<>();
        values.forEach(value -> names.add(value.getName()));
        return names;
    }

    /** Every value name the graph defines: inputs, initializers and node outputs. */
    private static Set<String> definedNames(GraphProto graph) {
        Set<String> names = names(graph.getInputList());
        graph.getInitializerList().forEach(initializer -> names.add(initializer.getName()));
        graph.getNodeList().forEach(node -> names.addAll(node.getOutputList()));
        return names;
    }
}
