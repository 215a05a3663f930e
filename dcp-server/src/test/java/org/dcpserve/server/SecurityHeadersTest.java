package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Keys off (the default): everything open as before, but with the security headers, and a favicon. */
class SecurityHeadersTest extends DenseModelServiceTest {

    @Autowired
    JdbcTemplate jdbc;

    static void assertSecurityHeaders(HttpResponse<String> response) {
        String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                "object-src 'none'");
        assertThat(csp).as("our pages need no inline script").doesNotContain("script-src 'self' 'unsafe-inline'");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    }

    @Test
    void pagesAndApiCarryTheSecurityHeaders() {
        for (String path : new String[] {"/", "/explain.html", "/stats.html", "/info"}) {
            HttpResponse<String> response = http.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertSecurityHeaders(response);
            // HEAD too: "/" is forwarded to the welcome page, which commits the response before the headers
            // would be written lazily.
            HttpResponse<String> head = http.head(path);
            assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
            assertSecurityHeaders(head);
        }
        assertThat(http.get("/").body()).doesNotContain("<script>").contains("<script src=\"app.js\"></script>");
    }

    @Test
    void theFaviconIsServed() {
        HttpResponse<String> ico = http.get("/favicon.ico");
        assertThat(ico.statusCode()).isEqualTo(200);
        assertThat(ico.headers().firstValue("Content-Type").orElseThrow()).startsWith("image/");
        assertThat(http.get("/favicon.svg").body()).startsWith("<svg");
        assertThat(http.get("/").body()).contains("<link rel=\"icon\" href=\"favicon.svg\"");
    }

    @Test
    void withKeysOffAnyOrNoAuthorizationWorksAndTracesHaveNoOwner() {
        // The OpenAI SDK always sends a key, whatever the server does with it.
        assertGenerated(new HttpClientSupport(port, "unused").postJson("/generate",
                "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 3}}"));
        assertGenerated(http.postJson("/generate", "{\"inputs\": \"hello\", \"parameters\": {\"max_new_tokens\": 3}}"));
        assertThat(http.get("/admin/api-keys").statusCode()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from trace where owner_key is not null", Long.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from drop_stat_model where owner_key <> ''", Long.class))
                .isZero();
    }

    private static void assertGenerated(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(HttpClientSupport.json(response).get("request_id").asString()).isNotEmpty();
    }
}
