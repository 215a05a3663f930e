package org.dcpserve.core.load;

import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * A model ready to be handed to ONNX Runtime: what {@code dcp.model} pointed at, resolved.
 *
 * @param name      a short name for logs and responses (the directory or file name)
 * @param kind      what the path was: a model package or a checkpoint imported on the fly
 * @param config    architecture and sizes
 * @param tokenizer the model's tokenizer
 * @param graphs    the ONNX sub-graphs
 */
public record ModelSource(String name, Kind kind, ModelConfig config, Tokenizer tokenizer, GraphSet graphs) {

    public enum Kind {
        MODEL_PACKAGE,
        LLAMA2C_CHECKPOINT,
        HUGGING_FACE_GPT2,
        HUGGING_FACE_LLAMA
    }
}
