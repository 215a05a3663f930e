package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link HuggingFaceArchitectureServingTest} on {@link org.dcpserve.core.importer.HfLlamaArchitectures#MISTRAL}. */
class MistralDirectoryServingTest extends HuggingFaceArchitectureServingTest {

    MistralDirectoryServingTest() {
        super(Checkpoint.MISTRAL);
    }

    @DynamicPropertySource
    static void mistralDirectory(DynamicPropertyRegistry registry) {
        serve(registry, Checkpoint.MISTRAL);
    }
}
