package org.dcpserve.server.http;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MutableCoercionConfig;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies are read strictly: a JSON value is never coerced into another scalar type, so
 * {@code "inputs": 42}, {@code "max_new_tokens": "5"}, {@code "details": 1} and {@code "max_new_tokens": 2.7} are
 * 400s that name the field and the type expected, not silently read as "42", 5, true and 2. An integer for a
 * number field ({@code "temperature": 1}) is not a coercion and passes. A key given twice is refused too: which of
 * the two would win is not something a client should have to guess.
 */
@Configuration(proxyBeanMethods = false)
class StrictJson {

    @Bean
    JsonMapperBuilderCustomizer strictScalars() {
        return builder -> builder
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Integer, config -> fail(config,
                        CoercionInputShape.Float, CoercionInputShape.String, CoercionInputShape.EmptyString,
                        CoercionInputShape.Boolean))
                .withCoercionConfig(LogicalType.Float, config -> fail(config,
                        CoercionInputShape.String, CoercionInputShape.EmptyString, CoercionInputShape.Boolean))
                .withCoercionConfig(LogicalType.Boolean, config -> fail(config,
                        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.String,
                        CoercionInputShape.EmptyString))
                .withCoercionConfig(LogicalType.Textual, config -> fail(config,
                        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean));
    }

    private static void fail(MutableCoercionConfig config, CoercionInputShape... shapes) {
        for (CoercionInputShape shape : shapes) {
            config.setCoercion(shape, CoercionAction.Fail);
        }
    }
}
