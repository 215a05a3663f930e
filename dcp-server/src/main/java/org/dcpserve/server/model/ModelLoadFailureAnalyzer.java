package org.dcpserve.server.model;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a model that cannot be loaded into a short start-up message instead of a stack trace. */
class ModelLoadFailureAnalyzer extends AbstractFailureAnalyzer<ModelLoadException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ModelLoadException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Point dcp.model (e.g. --dcp.model=onnx-models/NAME or DCP_MODEL=...) at a model package directory,"
                        + " a llama2.c checkpoint with its tokenizer beside it, or a Hugging Face GPT-2 directory.",
                cause);
    }
}
