package org.dcpserve.core.load;

import java.util.Optional;
import org.dcpserve.core.chat.ChatTemplate;
import org.dcpserve.core.chat.GenerationConfig;
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
 * @param weightsDtype how the weights were stored where they were read from ({@code bfloat16}, {@code float16},
 *                     {@code float32}; a package's graphs hold float32), whatever the engine computes in (float32)
 * @param chatTemplate the model's own chat template ({@code tokenizer_config.json}, {@code chat_template.jinja}),
 *                     or null when it has none
 * @param generationDefaults {@code generation_config.json}'s settings ({@link GenerationConfig#NONE} without one)
 */
public record ModelSource(String name, Kind kind, ModelConfig config, Tokenizer tokenizer, GraphSet graphs,
                          String weightsDtype, ChatTemplate chatTemplate, GenerationConfig generationDefaults) {

    /** The model's chat template, if it has one. */
    public Optional<ChatTemplate> template() {
        return Optional.ofNullable(chatTemplate);
    }

    public enum Kind {
        MODEL_PACKAGE,
        LLAMA2C_CHECKPOINT,
        HUGGING_FACE_GPT2,
        HUGGING_FACE_LLAMA
    }
}
