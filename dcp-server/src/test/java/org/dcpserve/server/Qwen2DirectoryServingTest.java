package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link HuggingFaceArchitectureServingTest} on {@link org.dcpserve.core.importer.HfLlamaArchitectures#QWEN2}. */
class Qwen2DirectoryServingTest extends HuggingFaceArchitectureServingTest {

    Qwen2DirectoryServingTest() {
        super(Checkpoint.QWEN2);
    }

    @DynamicPropertySource
    static void qwen2Directory(DynamicPropertyRegistry registry) {
        serve(registry, Checkpoint.QWEN2);
    }
}
