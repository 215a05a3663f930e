package org.dcpserve.server;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Title and description of the generated OpenAPI document behind Swagger UI. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "dcp-serve",
        description = "Serves transformer language models with Dynamic Context Pruning (arXiv 2305.15805)."
                + " Requests and responses follow the Hugging Face TGI shape.",
        version = "0.1"))
class OpenApiConfiguration {

    /**
     * The API speaks snake_case (spring.jackson.property-naming-strategy); swagger-core inspects types with its
     * own Jackson 2 mapper, which must be told so the documented schemas match the wire format.
     */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
