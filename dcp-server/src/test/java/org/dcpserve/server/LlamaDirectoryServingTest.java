package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link HuggingFaceArchitectureServingTest} on {@link org.dcpserve.core.importer.HfLlamaArchitectures#LLAMA}. */
class LlamaDirectoryServingTest extends HuggingFaceArchitectureServingTest {

    LlamaDirectoryServingTest() {
        super(Checkpoint.LLAMA);
    }

    @DynamicPropertySource
    static void llamaDirectory(DynamicPropertyRegistry registry) {
        serve(registry, Checkpoint.LLAMA);
    }
}
