package org.dcpserve.server.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the model named by {@code dcp.model} once, at start-up. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    ModelSource modelSource(DcpProperties properties) {
        if (properties.model() == null || properties.model().isBlank()) {
            throw new ModelLoadException("no model configured: set dcp.model to a model package, a llama2.c"
                    + " checkpoint or a Hugging Face GPT-2 directory");
        }
        try {
            long start = System.nanoTime();
            ModelSource source = ModelLoader.load(Path.of(properties.model()));
            log.info("Loaded {} ({}, {} layers, d_model {}, context {}) in {} ms", source.name(), source.kind(),
                    source.config().layers(), source.config().dModel(), source.config().contextLength(),
                    (System.nanoTime() - start) / 1_000_000);
            return source;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new ModelLoadException("cannot load dcp.model=" + properties.model() + ": " + e.getMessage(), e);
        }
    }

    @Bean(destroyMethod = "close")
    OnnxTransformer onnxTransformer(ModelSource source, DcpProperties properties) {
        return new OnnxTransformer(source.config(), source.graphs(), properties.executionProvider());
    }

    @Bean
    TextGenerator textGenerator(OnnxTransformer transformer, ModelSource source) {
        return new TextGenerator(transformer, source.tokenizer());
    }
}
