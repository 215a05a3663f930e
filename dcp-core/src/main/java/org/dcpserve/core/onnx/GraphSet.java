package org.dcpserve.core.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.WeightSource;

/** The serialized ONNX sub-graphs of one model, wherever they come from. */
public interface GraphSet {

    byte[] embedding();

    byte[] projection(int layer);

    /** The attention of B sequences' new tokens over their pooled caches; weight-free, the same for every layer. */
    byte[] attention();

    byte[] output(int layer);

    byte[] head();

    /**
     * Where the weights that these graphs declare external are read from when their sessions are built (and a tied
     * model's embedding table); empty when the graphs carry their weights (a model package's files).
     */
    default Optional<WeightSource> weights() {
        return Optional.empty();
    }

    /** These graphs with another attention graph (it has no weights, so it can be built from a config alone). */
    default GraphSet withAttention(byte[] attention) {
        GraphSet graphs = this;
        return new GraphSet() {
            public byte[] embedding() {
                return graphs.embedding();
            }

            public byte[] projection(int layer) {
                return graphs.projection(layer);
            }

            public byte[] attention() {
                return attention;
            }

            public byte[] output(int layer) {
                return graphs.output(layer);
            }

            public byte[] head() {
                return graphs.head();
            }

            public Optional<WeightSource> weights() {
                return graphs.weights();
            }
        };
    }

    static String embeddingFile() {
        return "embed.onnx";
    }

    static String projectionFile(int layer) {
        return "layer_%02d_proj.onnx".formatted(layer);
    }

    static String attentionFile() {
        return "attention.onnx";
    }

    static String outputFile(int layer) {
        return "layer_%02d_out.onnx".formatted(layer);
    }

    static String headFile() {
        return "head.onnx";
    }

    /**
     * Graphs built in memory for sessions, e.g. for a checkpoint imported at start-up: a few kilobytes each, their
     * weights read from {@code weights} only while each session is built ({@link TransformerGraphs#forSessions}).
     */
    static GraphSet build(ModelConfig config, WeightSource weights) {
        TransformerGraphs graphs = TransformerGraphs.forSessions(config, weights);
        return new GraphSet() {
            public byte[] embedding() {
                return graphs.embedding().toByteArray();
            }

            public byte[] projection(int layer) {
                return graphs.projection(layer).toByteArray();
            }

            public byte[] attention() {
                return TransformerGraphs.attention(config).toByteArray();
            }

            public byte[] output(int layer) {
                return graphs.output(layer).toByteArray();
            }

            public byte[] head() {
                return graphs.head().toByteArray();
            }

            public Optional<WeightSource> weights() {
                return Optional.of(weights);
            }
        };
    }

    /** Graphs stored as files in a model package directory (which files a format has: {@code ModelPackage.graphs}). */
    static GraphSet inDirectory(Path directory) {
        return new GraphSet() {
            public byte[] embedding() {
                return read(embeddingFile());
            }

            public byte[] projection(int layer) {
                return read(projectionFile(layer));
            }

            public byte[] attention() {
                return read(attentionFile());
            }

            public byte[] output(int layer) {
                return read(outputFile(layer));
            }

            public byte[] head() {
                return read(headFile());
            }

            private byte[] read(String file) {
                try {
                    return Files.readAllBytes(directory.resolve(file));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read model graph " + directory.resolve(file), e);
                }
            }
        };
    }
}
