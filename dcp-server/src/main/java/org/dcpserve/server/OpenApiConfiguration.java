package org.dcpserve.server;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import org.springframework.context.annotation.Configuration;

/** Title and description of the generated OpenAPI document behind Swagger UI. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "dcp-serve",
        description = "Serves transformer language models with Dynamic Context Pruning (arXiv 2305.15805)."
                + " Requests and responses follow the Hugging Face TGI shape.",
        version = "0.1"))
class OpenApiConfiguration {
}
