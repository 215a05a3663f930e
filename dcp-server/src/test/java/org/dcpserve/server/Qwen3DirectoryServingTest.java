package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link HuggingFaceArchitectureServingTest} on {@link org.dcpserve.core.importer.HfLlamaArchitectures#QWEN3}. */
class Qwen3DirectoryServingTest extends HuggingFaceArchitectureServingTest {

    Qwen3DirectoryServingTest() {
        super(Checkpoint.QWEN3);
    }

    @DynamicPropertySource
    static void qwen3Directory(DynamicPropertyRegistry registry) {
        serve(registry, Checkpoint.QWEN3);
    }
}
