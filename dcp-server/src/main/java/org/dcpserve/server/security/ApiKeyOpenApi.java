package org.dcpserve.server.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With API keys on, the OpenAPI document declares the bearer scheme the API asks for, so Swagger UI shows its
 * Authorize button and sends the key with every request tried from it. With keys off nothing is declared: every
 * route is open, and the document says so.
 */
@Configuration(proxyBeanMethods = false)
class ApiKeyOpenApi {

    static final String SCHEME = "api-key";

    @Bean
    OpenApiCustomizer apiKeyScheme(SecurityProperties properties) {
        return openApi -> {
            if (!properties.enabled()) {
                return;
            }
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSecuritySchemes(SCHEME, new SecurityScheme()
                    .type(SecurityScheme.Type.HTTP).scheme("bearer")
                    .description("An API key: Authorization: Bearer <key> (dcp.security.api-keys, or POST /admin/api-keys)"));
            openApi.addSecurityItem(new SecurityRequirement().addList(SCHEME));
        };
    }
}
