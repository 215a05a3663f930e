package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service with its shipped settings ({@link SlowClientTest} relies on them) on
 * {@link TestModels#randomGpt2Package()}, a model without gates (every request runs densely), and a fresh H2 file.
 * The test classes that extend this and declare no properties of their own share one running service, so they
 * assert only on what their own requests did.
 */
abstract class DenseModelServiceTest extends RunningServiceTest {

    @DynamicPropertySource
    static void denseModelOnFreshH2(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGpt2Package().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("dense-model"));
    }
}
