package org.dcpserve.server.model;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What is being served, in the spirit of TGI's /info. */
@RestController
@Tag(name = "model", description = "The model being served")
class ModelInfoController {

    private final ModelSource source;

    ModelInfoController(ModelSource source) {
        this.source = source;
    }

    @GetMapping("/info")
    @Operation(summary = "The served model: name, architecture, sizes, context length and DCP gates")
    ModelInfo info() {
        return new ModelInfo(source.name(), source.kind().name().toLowerCase(), source.config());
    }

    /**
     * @param modelId name of the served model
     * @param source  how it was loaded (model_package, llama2c_checkpoint, hugging_face_gpt2)
     * @param config  the model's config.json
     */
    record ModelInfo(String modelId, String source, ModelConfig config) {
    }
}
