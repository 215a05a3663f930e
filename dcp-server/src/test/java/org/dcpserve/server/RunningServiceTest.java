package org.dcpserve.server;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Value;

/**
 * A test of the service running on a random port (the subclass is a {@code RANDOM_PORT} {@code SpringBootTest}),
 * driven over a real socket: {@link #http} is a fresh client of it for every test.
 */
abstract class RunningServiceTest {

    @Value("${local.server.port}")
    int port;

    HttpClientSupport http;

    @BeforeEach
    void client() {
        http = new HttpClientSupport(port);
    }
}
