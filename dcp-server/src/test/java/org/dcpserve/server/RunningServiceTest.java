package org.dcpserve.server;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A test of the service running on a random port, driven over a real socket: {@link #http} is a fresh client of
 * it for every test.
 *
 * <p>What the service runs (model, database, limits) comes from {@code @DynamicPropertySource} methods. Spring's
 * test context cache keys a context by those methods, so every test class that adds none of its own to
 * {@link DenseModelServiceTest} or {@link GatedModelServiceTest} runs against one service started once for all
 * of them; a class that declares its own properties gets a service of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class RunningServiceTest {

    @Value("${local.server.port}")
    int port;

    HttpClientSupport http;

    @BeforeEach
    void client() {
        http = new HttpClientSupport(port);
    }
}
