package org.dcpserve.server.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.OrtNativeCache;
import org.dcpserve.core.engine.RuntimeOptions;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.schedule.SchedulerLimits;
import org.dcpserve.core.schedule.StepScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the model named by {@code dcp.model} once, at start-up, and starts the step scheduler over it. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    ModelSource modelSource(DcpProperties properties) {
        if (properties.model() == null || properties.model().isBlank()) {
            throw new ModelLoadException("no model configured: set dcp.model to a model package, a llama2.c"
                    + " checkpoint or a Hugging Face GPT-2 or Llama-family directory");
        }
        try {
            long start = System.nanoTime();
            ModelSource source = ModelLoader.load(Path.of(properties.model()), properties.maxContext() == null
                    ? ModelLoader.Options.DEFAULTS : new ModelLoader.Options(properties.maxContext()));
            log.info("Loaded {} ({}, {} layers, d_model {}, context {}) in {} ms", source.name(), source.kind(),
                    source.config().layers(), source.config().dModel(), source.config().contextLength(),
                    (System.nanoTime() - start) / 1_000_000);
            return source;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new ModelLoadException("cannot load dcp.model=" + properties.model() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param nativeCache {@code dcp.native-cache}: where ONNX Runtime's libraries are extracted once and reused
     *                    by every start (empty: {@code ~/.cache/dcp-serve/onnxruntime})
     */
    @Bean(destroyMethod = "close")
    OnnxTransformer onnxTransformer(ModelSource source, DcpProperties properties,
                                    @Value("${dcp.native-cache:}") String nativeCache) {
        OrtNativeCache.install(nativeCache.isBlank() ? OrtNativeCache.defaultBase() : Path.of(nativeCache))
                .ifPresent(folder -> log.info("ONNX Runtime libraries from {}", folder));
        RuntimeOptions runtime = properties.intraOpThreads() > 0
                ? new RuntimeOptions(properties.executionProvider(), properties.intraOpThreads())
                : RuntimeOptions.allCores(properties.executionProvider());
        log.info("ONNX Runtime: {}, {} intra-op threads", runtime.provider(), runtime.intraOpThreads());
        return new OnnxTransformer(source.config(), source.graphs(), runtime);
    }

    /** The one step loop every generation runs in (closed before the model it uses). */
    @Bean(destroyMethod = "close")
    StepScheduler stepScheduler(OnnxTransformer transformer, DcpProperties properties) {
        SchedulerLimits limits = new SchedulerLimits(properties.maxBatch(), properties.maxQueued(),
                properties.maxKvBytes().toBytes(), properties.prefillChunk());
        log.info("Step scheduler: {}", limits);
        return new StepScheduler(transformer, limits);
    }

    @Bean
    TextGenerator textGenerator(OnnxTransformer transformer, ModelSource source) {
        return new TextGenerator(transformer, source.tokenizer());
    }
}
