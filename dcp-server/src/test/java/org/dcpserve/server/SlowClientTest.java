package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slow clients do not hold the service hostage: 500 connections that each send half a POST body and then stall
 * (more than Tomcat's 200 platform threads, which about 220 such clients used to exhaust) leave /actuator/health
 * answering within a second throughout, and a normal /generate still succeeds. With the service's settings as
 * shipped (virtual threads, 10 s read timeout).
 */
class SlowClientTest extends DenseModelServiceTest {

    private static final int STALLED = 500;
    private static final Duration OBSERVED = Duration.ofSeconds(5);
    private static final Duration HEALTH_DEADLINE = Duration.ofSeconds(1);

    @Test
    void fiveHundredStalledBodiesLeaveHealthAndGenerateResponsive() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(HEALTH_DEADLINE).build();
        List<Socket> stalled = new ArrayList<>(STALLED);
        try {
            String body = "{\"inputs\": \"a prompt that never ends\", \"parameters\": {\"max_new_tokens\": 4}}";
            byte[] half = ("POST /generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, body.length() / 2))
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < STALLED; i++) {
                Socket socket = new Socket("localhost", port);
                OutputStream out = socket.getOutputStream();
                out.write(half);
                out.flush();
                stalled.add(socket);
            }

            long slowest = 0;
            int checks = 0;
            long end = System.nanoTime() + OBSERVED.toNanos();
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base() + "/actuator/health"))
                        .timeout(HEALTH_DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"UP\"");
                assertThat(millis).as("health check %d", checks).isLessThan(HEALTH_DEADLINE.toMillis());
                slowest = Math.max(slowest, millis);
                checks++;
                Thread.sleep(100);
            }

            HttpResponse<String> generated = client.send(HttpRequest.newBuilder(URI.create(base() + "/generate"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": \"Hello\", \"parameters\": {\"max_new_tokens\": 5}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
            assertThat(HttpClientSupport.json(generated.body()).get("generated_text").asString()).isNotNull();

            // The stalled clients were really held the whole time: every connection is still open, unanswered.
            for (Socket socket : stalled) {
                assertThat(socket.getInputStream().available()).isZero();
                assertThat(socket.isClosed()).isFalse();
            }
            System.out.printf("%d stalled connections: %d health checks in %d s, slowest %d ms%n", STALLED, checks,
                    OBSERVED.toSeconds(), slowest);
            assertThat(checks).isGreaterThan(10);
        } finally {
            for (Socket socket : stalled) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing is best effort; the server times the connection out anyway.
                }
            }
        }
    }

    private String base() {
        return "http://localhost:" + port;
    }
}
