package org.dcpserve.core.importer;

import java.nio.file.Path;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * A checkpoint turned into canonical form, ready to be built into ONNX graphs or written as a model
 * package.
 *
 * @param config        architecture, sizes and tokenizer
 * @param weights       canonical weights (see {@link ModelWeights})
 * @param tokenizerFile the tokenizer file to copy into the package, or null when the tokenizer needs none
 */
public record ImportedModel(ModelConfig config, ModelWeights weights, Path tokenizerFile) {
}
