package org.dcpserve.core.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/** The serialized ONNX sub-graphs of one model, wherever they come from. */
public interface GraphSet {

    byte[] embedding();

    byte[] projection(int layer);

    byte[] attention(int layer);

    byte[] head();

    static String embeddingFile() {
        return "embed.onnx";
    }

    static String projectionFile(int layer) {
        return "layer_%02d_proj.onnx".formatted(layer);
    }

    static String attentionFile(int layer) {
        return "layer_%02d_attn.onnx".formatted(layer);
    }

    static String headFile() {
        return "head.onnx";
    }

    /** Graphs built in memory from weights, e.g. for a checkpoint imported at start-up. */
    static GraphSet build(ModelConfig config, ModelWeights weights) {
        TransformerGraphs graphs = new TransformerGraphs(config, weights);
        return new GraphSet() {
            public byte[] embedding() {
                return graphs.embedding().toByteArray();
            }

            public byte[] projection(int layer) {
                return graphs.projection(layer).toByteArray();
            }

            public byte[] attention(int layer) {
                return graphs.attention(layer).toByteArray();
            }

            public byte[] head() {
                return graphs.head().toByteArray();
            }
        };
    }

    /** Graphs stored as files in a model package directory. */
    static GraphSet inDirectory(Path directory) {
        return new GraphSet() {
            public byte[] embedding() {
                return read(embeddingFile());
            }

            public byte[] projection(int layer) {
                return read(projectionFile(layer));
            }

            public byte[] attention(int layer) {
                return read(attentionFile(layer));
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
