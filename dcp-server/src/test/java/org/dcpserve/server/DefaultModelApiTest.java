package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.dcpserve.core.DefaultModel;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What a user of a fresh clone sees: the service on the committed default model prunes by default and
 * explains it. Tests run in the module directory, so the default path (relative to the repo root, where
 * the run command runs) is resolved from there; the test checks that it is the configured default.
 */
class DefaultModelApiTest extends RunningServiceTest {

    static final String PROMPT = "The Congress";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> DefaultModel.path().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("default-model"));
    }

    @Test
    void theConfiguredDefaultIsTheCommittedModel() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        Properties defaults = yaml.getObject();
        assertThat(defaults.getProperty("dcp.model")).isEqualTo(DefaultModel.RELATIVE_PATH);
    }

    @Test
    void aHundredTokensArePrunedByDefaultAndEveryLayerHasDropsAtExplain() {
        JsonNode generated = http.generateOk(PROMPT, 100, 42, "");
        JsonNode details = generated.get("details");
        assertThat(details.get("generated_tokens").asInt()).isEqualTo(100);
        JsonNode pruning = details.get("pruning");
        assertThat(pruning.get("policy").asString()).isEqualTo("dcp");
        assertThat(pruning.get("sparsity").asDouble()).isGreaterThanOrEqualTo(0.5);

        JsonNode explained = TraceAssertions.assertExplained(http, generated, PROMPT);
        assertThat(explained.get("model").asString()).isEqualTo("sotu-dcp");
        assertThat(explained.get("layers")).hasSize(6)
                .allSatisfy(layer -> assertThat(layer.get("drops")).as("drops of layer %s", layer.get("layer")).isNotEmpty());
    }
}
