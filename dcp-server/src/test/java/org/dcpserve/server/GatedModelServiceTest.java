package org.dcpserve.server;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service on {@link TestModels#randomGatedGpt2Package()}, a model whose random DCP gates really drop tokens,
 * and a fresh H2 file. The test classes that extend this and declare no properties of their own share one running
 * service, so they assert only on what their own requests did.
 *
 * <p>Two settings differ from the shipped ones, for tests that need them and harmless to the others: a small
 * batch and queue ({@value #MAX_BATCH} and {@value #MAX_QUEUED}), so that {@link BatchingApiTest} can fill the
 * queue (no other test here has more than two requests in flight), and Hibernate's statistics, so that
 * {@link ExplainApiTest} can count the statements a trace costs.
 */
abstract class GatedModelServiceTest extends RunningServiceTest {

    static final String MODEL = "random-gated-gpt2";
    static final int MAX_BATCH = 8;
    static final int MAX_QUEUED = 6;

    @DynamicPropertySource
    static void gatedModelOnFreshH2(DynamicPropertyRegistry registry) {
        registry.add("dcp.model", () -> TestModels.randomGatedGpt2Package().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("gated-model"));
        registry.add("dcp.max-batch", () -> Integer.toString(MAX_BATCH));
        registry.add("dcp.max-queued", () -> Integer.toString(MAX_QUEUED));
        registry.add("spring.jpa.properties.hibernate.generate_statistics", () -> "true");
    }
}
