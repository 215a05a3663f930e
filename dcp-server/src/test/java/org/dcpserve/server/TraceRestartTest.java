package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Traces live in an H2 file: a service started anew on the same file still explains earlier requests. */
class TraceRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void tracesSurviveARestart() {
        String prompt = "Traces outlive the process that wrote them";
        JsonNode generated;
        JsonNode explainedBefore;
        try (ConfigurableApplicationContext first = start()) {
            HttpClientSupport http = client(first);
            HttpResponse<String> response = http.postJson("/generate", "{\"inputs\": \"" + prompt + "\","
                    + " \"parameters\": {\"details\": true, \"max_new_tokens\": 10, \"temperature\": 1.0, \"seed\": 4}}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            generated = HttpClientSupport.json(response);
            explainedBefore = HttpClientSupport.json(http.get("/explain/" + generated.get("request_id").asString()));
        }

        try (ConfigurableApplicationContext second = start()) {
            HttpResponse<String> response = client(second).get("/explain/" + generated.get("request_id").asString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode explained = HttpClientSupport.json(response);
            TraceAssertions.assertExplains(explained, generated, prompt);
            assertThat(explained).isEqualTo(explainedBefore);
        }
    }

    private ConfigurableApplicationContext start() {
        // Command-line arguments, so they win over application.yml as they would for a user.
        return new SpringApplicationBuilder(DcpServerApplication.class).run(
                "--server.port=0",
                "--dcp.model=" + TestModels.randomGatedGpt2Package(),
                "--spring.datasource.url=" + TestDatabases.h2File(dataDir.resolve("dcp-traces")));
    }

    private static HttpClientSupport client(ConfigurableApplicationContext context) {
        return new HttpClientSupport(((WebServerApplicationContext) context).getWebServer().getPort());
    }
}
