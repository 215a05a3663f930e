package org.dcpserve.server.model;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.server.generate.GenerateParameters;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What is being served: TGI's /info fields, and ours (how the model was loaded, its config.json). */
@RestController
@Tag(name = "model", description = "The model being served")
record ModelInfoController(ModelSource source, DcpProperties properties) {

    /** The service version /info reports (TGI's version field). */
    static final String VERSION = "0.1.0";

    /** What the graphs compute in, whatever the checkpoint stored. */
    private static final String COMPUTE_DTYPE = "float32";

    @GetMapping("/info")
    @Operation(summary = "The served model, in TGI's /info shape, with its config.json (sizes, context, DCP gates)")
    ModelInfo info() {
        int context = source.config().contextLength();
        return new ModelInfo(source.name(), null, source.weightsDtype(), COMPUTE_DTYPE,
                properties.executionProvider().name().toLowerCase(),
                "text-generation", properties.maxBatch() + properties.maxQueued(), 1,
                GenerateParameters.MAX_STOP_SEQUENCES, context - 1, context, 1, 1, "dcp-serve",
                VERSION, null, null, source.kind().name().toLowerCase(), source.config());
    }

    /**
     * TGI's Info, and ours (source, config).
     *
     * @param modelId               name of the served model: the name of the directory (or file) dcp.model names,
     *                              which requests' {@code model} must repeat on /v1
     * @param modelSha              TGI: the Hub revision (null: not from the Hub)
     * @param modelDtype            how the weights were stored where they were loaded from: bfloat16, float16 or
     *                              float32 (most of the tensors of a Hugging Face checkpoint; a package's are float32)
     * @param computeDtype          ours: what the engine computes in (float32; the weights are widened at load)
     * @param modelDeviceType       cpu or cuda
     * @param maxConcurrentRequests requests accepted at once: running (dcp.max-batch) plus queued
     *                              (dcp.max-queued)
     * @param maxBestOf             always 1: best_of above 1 is not supported
     * @param maxStopSequences      most stop sequences a request may give
     * @param maxInputTokens        longest prompt (with BOS), leaving one new token
     * @param maxTotalTokens        the context length served (the model's, or dcp.max-context when less): prompt
     *                              plus new tokens
     * @param source                how it was loaded (model_package, llama2c_checkpoint, hugging_face_gpt2,
     *                              hugging_face_llama)
     * @param config                the model's config.json
     */
    record ModelInfo(String modelId, String modelSha, String modelDtype, String computeDtype, String modelDeviceType,
                     String modelPipelineTag, int maxConcurrentRequests, int maxBestOf, int maxStopSequences,
                     int maxInputTokens, int maxTotalTokens, int validationWorkers, int maxClientBatchSize,
                     String router, String version, String sha, String dockerLabel, String source,
                     ModelConfig config) {
    }
}
