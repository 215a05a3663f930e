package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client against the running server: what a user's curl would see. */
public final class HttpClientSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;
    private final Duration timeout;

    public HttpClientSupport(int port) {
        this(port, null);
    }

    /** A client that sends {@code Authorization: Bearer <apiKey>} with every request (null: none). */
    public HttpClientSupport(int port, String apiKey) {
        this(port, apiKey, Duration.ofSeconds(60));
    }

    /** A client whose every request fails with an HttpTimeoutException past {@code timeout}. */
    public HttpClientSupport(int port, String apiKey, Duration timeout) {
        this.base = "http://localhost:" + port;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    public HttpResponse<String> post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> postJson(String path, String body) {
        return post(path, "application/json", body);
    }

    public HttpResponse<String> head(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).HEAD());
    }

    public HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POST /generate with sampling at temperature 1 and a fixed seed; asserts a 200 and returns the body. */
    public JsonNode generateOk(String prompt, int maxNewTokens, long seed, String extraParameters) {
        HttpResponse<String> response = postJson("/generate", "{\"inputs\": \"" + prompt + "\", \"parameters\":"
                + " {\"details\": true, \"max_new_tokens\": " + maxNewTokens + ", \"temperature\": 1.0, \"seed\": " + seed
                + extraParameters + "}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** GET /explain/{id}; asserts a 200 and returns the body. */
    public JsonNode explainOk(String requestId) {
        HttpResponse<String> response = get("/explain/" + requestId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** GET path; asserts a 200 and returns the body. */
    public JsonNode json200(String path) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return json(response);
    }

    /** The data of each server-sent event of a /generate_stream (or TGI root) response, as JSON. */
    public static List<JsonNode> events(HttpResponse<String> response) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data:")) {
                events.add(json(line.substring(5)));
            }
        }
        return events;
    }

    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    public static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
