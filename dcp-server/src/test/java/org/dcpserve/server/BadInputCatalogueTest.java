package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dcpserve.server.ProblemAssertions.assertProblem;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What an attacker or a careless client sends, over a real socket: bodies, headers, methods, encodings and sizes
 * on every route. Every answer is a 4xx problem detail (on /v1, OpenAI's error body) that repeats at most 200
 * characters of the request and names nothing of the server's insides. A service of its own, for its short read
 * timeout.
 */
class BadInputCatalogueTest extends DenseModelServiceTest {

    /** The read timeout, short so that a stalled body's 408 comes quickly. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private static final int MAX_ECHO = 200;

    private static final List<String> INTERNALS = List.of("org.dcpserve", "java.", "jakarta.", "tools.jackson",
            "com.fasterxml", "org.springframework", "org.apache", "Exception", "<html");

    @DynamicPropertySource
    static void readTimeout(DynamicPropertyRegistry registry) {
        registry.add("server.tomcat.connection-timeout", () -> READ_TIMEOUT.toMillis() + "ms");
    }

    /** @param openAi the answer is OpenAI's error body, not a problem detail */
    record BadInput(String name, byte[] request, int status, boolean openAi) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<BadInput> catalogue() {
        List<BadInput> c = new ArrayList<>();
        String model = "random-gpt2";
        String longText = "x".repeat(10_000);

        // TGI bodies: not JSON, or JSON of the wrong shape.
        c.add(json("empty body", "/generate", "", 400));
        c.add(json("not JSON", "/generate", "hello", 400));
        c.add(json("truncated JSON", "/generate", "{\"inputs\": \"hi\",", 400));
        c.add(json("unterminated string", "/generate", "{\"inputs\": \"hi", 400));
        c.add(json("array body", "/generate", "[1, 2]", 400));
        c.add(json("string body", "/generate", "\"hi\"", 400));
        c.add(json("null body", "/generate", "null", 400));
        c.add(json("trailing garbage", "/generate", "{\"inputs\": \"hi\"} x", 400));
        c.add(json("two objects", "/generate", "{\"inputs\": \"hi\"}{\"inputs\": \"hi\"}", 400));
        c.add(json("duplicate key", "/generate", "{\"inputs\": \"a\", \"inputs\": \"b\"}", 400));
        c.add(json("single quotes", "/generate", "{'inputs': 'hi'}", 400));
        c.add(json("comment", "/generate", "{\"inputs\": \"hi\" /* x */}", 400));
        c.add(json("bare NaN", "/generate", "{\"inputs\": \"hi\", \"parameters\": {\"temperature\": NaN}}", 400));
        c.add(json("invalid UTF-8", "/generate", bytes("{\"inputs\": \"", new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}"),
                400));
        c.add(json("nesting 5000 deep", "/generate", "{\"inputs\": \"hi\", \"parameters\": {\"grammar\": "
                + "[".repeat(5000) + "]".repeat(5000) + "}}", 400));
        // Strict scalars: no coercion, no truncated fractions.
        c.add(json("inputs a number", "/generate", "{\"inputs\": 42}", 400));
        c.add(json("inputs a boolean", "/generate", "{\"inputs\": true}", 400));
        c.add(json("inputs an object", "/generate", "{\"inputs\": {\"text\": \"hi\"}}", 400));
        c.add(json("inputs an array", "/generate", "{\"inputs\": [\"hi\"]}", 400));
        c.add(params("max_new_tokens a string", "\"max_new_tokens\": \"5\"", 400));
        c.add(params("max_new_tokens empty string", "\"max_new_tokens\": \"\"", 400));
        c.add(params("max_new_tokens a fraction", "\"max_new_tokens\": 2.7", 400));
        c.add(params("max_new_tokens a boolean", "\"max_new_tokens\": true", 400));
        c.add(params("max_new_tokens past int", "\"max_new_tokens\": 99999999999", 400));
        c.add(params("max_new_tokens 1000 digits", "\"max_new_tokens\": " + "9".repeat(1000), 400));
        c.add(params("details a number", "\"details\": 1", 400));
        c.add(params("details a string", "\"details\": \"true\"", 400));
        c.add(params("temperature a string", "\"temperature\": \"0.5\"", 400));
        c.add(params("seed a fraction", "\"seed\": 1.5", 400));
        c.add(params("top_k in exponent form", "\"top_k\": 1e3", 400));
        c.add(params("stop a string", "\"stop\": \"x\"", 400));
        c.add(params("stop of numbers", "\"stop\": [1]", 400));
        c.add(json("parameters an array", "/generate", "{\"inputs\": \"hi\", \"parameters\": []}", 400));
        c.add(json("unknown field", "/generate", "{\"inputs\": \"hi\", \"parameterz\": {}}", 400));
        c.add(params("unknown parameter with a long name", "\"" + longText + "\": 1", 400));
        // Well-formed, but not servable: 422.
        c.add(json("empty inputs", "/generate", "{\"inputs\": \"\"}", 422));
        c.add(json("missing inputs", "/generate", "{\"parameters\": {}}", 422));
        c.add(params("max_new_tokens negative", "\"max_new_tokens\": -3", 422));
        c.add(params("top_p above one", "\"top_p\": 1.5", 422));
        c.add(params("17 stop sequences", "\"stop\": " + stops(17, 3), 422));
        c.add(params("a 257-character stop", "\"stop\": " + stops(1, 257), 422));
        c.add(params("a 100,000-character stop", "\"stop\": " + stops(1, 100_000), 422));
        c.add(params("a null stop", "\"stop\": [null]", 422));
        c.add(params("a 10,000-character adapter_id", "\"adapter_id\": \"" + longText + "\"", 422));
        c.add(json("a 900 kB prompt", "/generate", "{\"inputs\": \"" + "y ".repeat(450_000) + "\"}", 422));
        // Sizes, headers and framing of the body.
        c.add(json("a 10 MB prompt", "/generate", "{\"inputs\": \"" + "z".repeat(10_000_000) + "\"}", 413));
        c.add(new BadInput("Content-Length of 64 MB, a few bytes sent", ("POST /generate HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 67108864\r\n\r\n{\"inputs\": \"")
                .getBytes(StandardCharsets.US_ASCII), 413, false));
        c.add(new BadInput("chunked body past 1 MB, never ended", chunkedWithoutEnd("/generate", 1_200_000), 413, false));
        c.add(new BadInput("chunked body past 1 MB on /v1", chunkedWithoutEnd("/v1/completions", 1_200_000), 413,
                true));
        c.add(new BadInput("half a body, then nothing", ("POST /generate HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"inputs\": \"half")
                .getBytes(StandardCharsets.US_ASCII), 408, false));
        c.add(post("malformed chunk size", "/generate", "Content-Type: application/json\r\nTransfer-Encoding: chunked",
                "zz\r\n{}\r\n0\r\n\r\n", 400));
        c.add(post("Content-Length not a number", "/generate", "Content-Type: application/json\r\nContent-Length: abc",
                "{}", 400));
        c.add(post("Content-Length negative", "/generate", "Content-Type: application/json\r\nContent-Length: -5",
                "{}", 400));
        // Both framings: read as chunked, as RFC 9112 says (Tomcat then closes the connection).
        c.add(post("Content-Length and chunked", "/generate", "Content-Type: application/json\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked", "2\r\n{}\r\n0\r\n\r\n", 422));
        c.add(post("text/plain", "/generate", "Content-Type: text/plain", "{\"inputs\": \"hi\"}", 415));
        c.add(post("no Content-Type", "/generate", "X-Nothing: 1", "{\"inputs\": \"hi\"}", 415));
        c.add(post("a form post", "/generate", "Content-Type: application/x-www-form-urlencoded", "inputs=hi", 415));
        c.add(post("a 5,000-character Content-Type", "/generate", "Content-Type: text/" + "x".repeat(5000),
                "{\"inputs\": \"hi\"}", 415));
        c.add(post("unknown charset", "/generate", "Content-Type: application/json; charset=klingon",
                "{\"inputs\": \"hi\"}", 415));
        c.add(post("only HTML accepted", "/generate", "Content-Type: application/json\r\nAccept: text/html",
                "{\"inputs\": \"hi\"}", 406));
        // The other TGI routes.
        c.add(json("stream: bad JSON", "/generate_stream", "{\"inputs\": ", 400));
        c.add(json("stream: max_new_tokens a string", "/generate_stream",
                "{\"inputs\": \"hi\", \"parameters\": {\"max_new_tokens\": \"5\"}}", 400));
        c.add(json("stream: 17 stop sequences", "/generate_stream",
                "{\"inputs\": \"hi\", \"parameters\": {\"stop\": " + stops(17, 2) + "}}", 422));
        c.add(json("root: inputs a number", "/", "{\"inputs\": 42}", 400));
        c.add(json("root: stream a string", "/", "{\"inputs\": \"hi\", \"stream\": \"yes\"}", 400));
        c.add(json("root: a 257-character stop", "/", "{\"inputs\": \"hi\", \"parameters\": {\"stop\": "
                + stops(1, 257) + "}}", 422));
        c.add(json("tokenize: inputs a number", "/tokenize", "{\"inputs\": 1}", 400));
        c.add(json("tokenize: empty inputs", "/tokenize", "{\"inputs\": \"\"}", 422));
        c.add(json("tokenize: truncate a fraction", "/tokenize",
                "{\"inputs\": \"hi\", \"parameters\": {\"truncate\": 0.5}}", 400));
        // OpenAI routes: OpenAI's error body.
        c.add(json("completions: bad JSON", "/v1/completions", "{\"model\": ", 400));
        c.add(json("completions: max_tokens a string", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"max_tokens\": \"5\"}", 400));
        c.add(json("completions: n a fraction", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"n\": 2.5}", 400));
        c.add(json("completions: temperature a boolean", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"temperature\": true}", 400));
        c.add(json("completions: prompt a number", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": 42}", 422));
        c.add(json("completions: a 10,000-character model", "/v1/completions",
                "{\"model\": \"" + longText + "\", \"prompt\": \"hi\"}", 404));
        c.add(json("completions: 5 stops", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"stop\": " + stops(5, 2) + "}", 422));
        c.add(json("completions: a 100,000-character stop", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"stop\": \"" + "s".repeat(100_000) + "\"}", 422));
        c.add(json("completions: unknown field", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"hi\", \"temprature\": 0}", 400));
        c.add(json("completions: a 10 MB prompt", "/v1/completions",
                "{\"model\": \"" + model + "\", \"prompt\": \"" + "z".repeat(10_000_000) + "\"}", 413));
        c.add(json("chat: messages a string", "/v1/chat/completions",
                "{\"model\": \"" + model + "\", \"messages\": \"hi\"}", 400));
        c.add(json("chat: a 10,000-character role", "/v1/chat/completions",
                "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"" + longText + "\", \"content\": \"x\"}]}",
                422));
        c.add(json("chat: content a number", "/v1/chat/completions",
                "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}", 422));
        c.add(json("chat: 5 stops", "/v1/chat/completions", "{\"model\": \"" + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": " + stops(5, 2) + "}", 422));
        c.add(json("chat: max_tokens a fraction", "/v1/chat/completions", "{\"model\": \"" + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 1.5}", 400));
        c.add(json("chat: logprobs a string", "/v1/chat/completions", "{\"model\": \"" + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"logprobs\": \"yes\"}", 400));
        c.add(post("chat: text/plain", "/v1/chat/completions", "Content-Type: text/plain", "{}", 415));
        // Explanations and statistics.
        c.add(get("explain: not a UUID", "/explain/not-a-uuid", 400));
        c.add(get("explain: a 5,000-character id", "/explain/" + "u".repeat(5000), 400));
        c.add(get("explain: unknown id", "/explain/" + UUID.randomUUID(), 404));
        c.add(get("stats: limit 0", "/explain/stats?limit=0", 422));
        c.add(get("stats: layer not a number", "/explain/stats?layer=x", 400));
        c.add(get("stats: a 5,000-character layer", "/explain/stats?layer=" + "9".repeat(5000), 400));
        c.add(request("stats: POST", "POST", "/explain/stats", "", 405));
        // Unknown paths and methods.
        c.add(get("unknown path", "/nope", 404));
        c.add(get("unknown path under /v1", "/v1/nope", 404));
        c.add(get("a 5,000-character path", "/" + "p".repeat(5000), 404));
        c.add(get("GET /error", "/error", 404));
        c.add(get("GET /generate", "/generate", 405));
        c.add(request("DELETE /generate", "DELETE", "/generate", "", 405));
        c.add(request("PUT /v1/completions", "PUT", "/v1/completions", "", 405));
        c.add(request("PATCH /tokenize", "PATCH", "/tokenize", "", 405));
        // Spring Security's firewall refuses methods outside the standard ones before any route is matched.
        c.add(request("a made-up method", "BREW", "/generate", "", 400));
        c.add(request("a 3,000-character method", "M".repeat(3000), "/generate", "", 400));
        c.add(raw("TRACE", "TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, false));
        c.add(raw("TRACE under /v1", "TRACE /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, true));
        // Malformed HTTP, answered by Tomcat before any handler: the request line, the headers, the target.
        c.add(raw("garbage request line", "GARBAGE\r\n\r\n", 400, false));
        c.add(raw("lower-case HTTP version", "GET /info http/1.1\r\nHost: localhost\r\n\r\n", 400, false));
        c.add(badHeaders("bare CR ending a header", "Host: localhost\rX-A: 1"));
        c.add(badHeaders("header without a colon", "Host: localhost", "Bad Header"));
        c.add(badHeaders("space before the colon", "Host: localhost", "X-A : 1"));
        c.add(badHeaders("parenthesis in a header name", "Host: localhost", "X(A): 1"));
        c.add(badHeaders("control character in a header", "Host: localhost", "X-A: a\u0001b"));
        c.add(badHeaders("no Host"));
        c.add(badHeaders("two Hosts", "Host: a", "Host: b"));
        c.add(badHeaders("a 20 kB header", "Host: localhost", "X-A: " + "h".repeat(20_000)));
        c.add(badTarget("NUL in the request line", "/in\u0000fo"));
        c.add(badTarget("a 20 kB URI", "/" + "q".repeat(20_000)));
        c.add(badTarget("bad percent-encoding", "/%zz"));
        c.add(badTarget("encoded NUL", "/a%00b"));
        c.add(badTarget("encoded slash", "/a%2fb"));
        c.add(badTarget("encoded backslash", "/a%5cb"));
        c.add(badTarget("path traversal", "/../etc/passwd"));
        c.add(badTarget("brace in the URI", "/in{fo"));
        c.add(badTarget("invalid UTF-8 in the URI", "/%C3%28"));
        c.add(badTarget("absolute URI of another scheme", "ftp://x/info"));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void everyBadInputIsA4xxThatSaysWhyWithoutEchoOrInternals(BadInput input) {
        RawHttp.Response response = RawHttp.exchange(port, input.request(), READ_TIMEOUT.multipliedBy(10));
        String body = response.body();
        assertThat(response.status()).as(body).isEqualTo(input.status());
        if (input.openAi()) {
            assertThat(response.contentType()).startsWith("application/json");
            JsonNode error = HttpClientSupport.json(body).get("error");
            assertThat(error.get("message").asString()).isNotBlank();
            assertThat(error.get("type").asString()).isNotBlank();
        } else {
            assertThat(response.contentType()).startsWith("application/problem+json");
            JsonNode problem = HttpClientSupport.json(body);
            assertThat(problem.get("status").asInt()).isEqualTo(input.status());
            assertThat(problem.get("title").asString()).isNotBlank();
            assertThat(problem.get("detail").asString()).isNotBlank();
            assertThat(problem.get("error").asString()).isEqualTo(problem.get("detail").asString());
            assertThat(problem.get("error_type").asString()).isNotBlank();
        }
        assertThat(body).doesNotContain(INTERNALS);
        String request = new String(input.request(), StandardCharsets.ISO_8859_1);
        assertThat(longestEcho(request, body)).as(body).isLessThanOrEqualTo(MAX_ECHO);
    }

    @Test
    void theCatalogueIsLargeAndCoversEveryRoute() {
        List<BadInput> catalogue = catalogue();
        assertThat(catalogue).hasSizeGreaterThanOrEqualTo(60);
        Set<String> requests = catalogue.stream().map(c -> new String(c.request(), 0, Math.min(60, c.request().length),
                StandardCharsets.ISO_8859_1)).collect(Collectors.toSet());
        for (String route : List.of(" /generate ", " /generate_stream ", " / ", " /v1/completions ",
                " /v1/chat/completions ", " /tokenize ", " /explain/", " /nope ")) {
            assertThat(requests).as(route).anyMatch(r -> r.contains(route));
        }
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        // 16 stops of 256 characters, and a body just under 1 MB (a prompt truncated to fit the context).
        String sixteen = "{\"inputs\": \"hi\", \"parameters\": {\"max_new_tokens\": 2, \"stop\": " + stops(16, 256) + "}}";
        assertThat(http.postJson("/generate", sixteen).statusCode()).isEqualTo(200);
        String big = "{\"inputs\": \"" + "w ".repeat(500_000) + "\", \"parameters\": {\"max_new_tokens\": 2, \"truncate\": 8}}";
        assertThat(big.length()).isBetween(1_000_000, 1_048_576);
        assertThat(http.postJson("/generate", big).statusCode()).isEqualTo(200);
        String four = "{\"model\": \"random-gpt2\", \"prompt\": \"hi\", \"max_tokens\": 2, \"stop\": " + stops(4, 256) + "}";
        assertThat(http.postJson("/v1/completions", four).statusCode()).isEqualTo(200);
        assertThat(http.json200("/info").get("max_stop_sequences").asInt()).isEqualTo(16);
        // An integer where a number is expected is not a coercion.
        assertThat(http.postJson("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"max_new_tokens\": 2,"
                + " \"temperature\": 1, \"top_p\": 1}}").statusCode()).isEqualTo(200);
    }

    @Test
    void problemDetailsNameTheFieldAndTheTypeExpected() {
        assertProblem(http.postJson("/generate", "{\"inputs\": 42}"), 400,
                "'inputs' must be a string (got a number)");
        assertProblem(http.postJson("/generate", "{\"inputs\": \"hi\", \"parameters\":"
                + " {\"max_new_tokens\": 2.7}}"), 400, "'parameters.max_new_tokens' must be an integer (got a number with"
                + " a fraction)");
        assertProblem(http.postJson("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"stop\": [\"a\","
                + " 1]}}"), 400, "'parameters.stop[1]' must be a string (got a number)");
        assertProblem(http.postJson("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"maxNewTokens\":"
                + " 1}}"), 400, "unknown field 'parameters.maxNewTokens'; known fields: adapter_id, best_of");
        assertProblem(http.postJson("/generate", "{\"inputs\": \"hi\", \"parameters\": {\"stop\": "
                + stops(1, 300) + "}}"), 422, "'parameters.stop[0]' must be at most 256 characters");
    }

    private static BadInput json(String name, String path, String body, int status) {
        return json(name, path, body.getBytes(StandardCharsets.UTF_8), status);
    }

    private static BadInput json(String name, String path, byte[] body, int status) {
        return post(name, path, "Content-Type: application/json", body, status);
    }

    private static BadInput params(String name, String parameters, int status) {
        return json(name, "/generate", "{\"inputs\": \"hi\", \"parameters\": {" + parameters + "}}", status);
    }

    private static BadInput post(String name, String path, String headers, String body, int status) {
        return post(name, path, headers, body.getBytes(StandardCharsets.UTF_8), status);
    }

    /** A POST with these headers and body; a Content-Length is added unless the headers frame the body. */
    private static BadInput post(String name, String path, String headers, byte[] body, int status) {
        boolean framed = headers.contains("Content-Length") || headers.contains("Transfer-Encoding");
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n"
                + (framed ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        return new BadInput(name, bytes(head, body, ""), status, path.startsWith("/v1"));
    }

    private static BadInput get(String name, String path, int status) {
        return request(name, "GET", path, "", status);
    }

    private static BadInput request(String name, String method, String path, String body, int status) {
        String request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
        return new BadInput(name, request.getBytes(StandardCharsets.UTF_8), status, path.startsWith("/v1"));
    }

    private static BadInput raw(String name, String request, int status, boolean openAi) {
        return new BadInput(name, request.getBytes(StandardCharsets.ISO_8859_1), status, openAi);
    }

    /** A GET of this request target, which Tomcat refuses with a 400. */
    private static BadInput badTarget(String name, String target) {
        return raw(name, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 400, false);
    }

    /** A GET /info with these header lines (none: not even a Host), which Tomcat refuses with a 400. */
    private static BadInput badHeaders(String name, String... headers) {
        return raw(name, "GET /info HTTP/1.1\r\n" + String.join("\r\n", headers) + (headers.length > 0 ? "\r\n" : "")
                + "\r\n", 400, false);
    }

    /** A chunked JSON body that passes {@code size} bytes and never sends its last chunk. */
    private static byte[] chunkedWithoutEnd(String path, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = ("{\"inputs\": \"" + "c".repeat(65_536 - 12)).getBytes(StandardCharsets.US_ASCII);
        for (int sent = 0; sent < size; sent += chunk.length) {
            out.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(chunk);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            chunk = "c".repeat(65_536).getBytes(StandardCharsets.US_ASCII);
        }
        return out.toByteArray();
    }

    /** A JSON array of n distinct stop strings of the given length. */
    private static String stops(int n, int length) {
        return IntStream.range(0, n).mapToObj(i -> "\"" + (char) ('a' + i) + "-".repeat(length - 1) + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static byte[] bytes(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * The longest stretch of the request the response repeats, found by binary search over the length with a rolling
     * hash of every window of that length (the requests run to megabytes, the responses to a few hundred bytes).
     */
    static int longestEcho(String request, String response) {
        int low = 0;
        int high = Math.min(request.length(), response.length());
        while (low < high) {
            int length = (low + high + 1) / 2;
            if (sharesWindow(request, response, length)) {
                low = length;
            } else {
                high = length - 1;
            }
        }
        return low;
    }

    private static boolean sharesWindow(String request, String response, int length) {
        Set<Long> windows = new HashSet<>();
        RollingHash hashes = new RollingHash(length);
        for (int i = 0; i < response.length(); i++) {
            long hash = hashes.push(response.charAt(i), i >= length ? response.charAt(i - length) : 0);
            if (i >= length - 1) {
                windows.add(hash);
            }
        }
        hashes = new RollingHash(length);
        for (int i = 0; i < request.length(); i++) {
            long hash = hashes.push(request.charAt(i), i >= length ? request.charAt(i - length) : 0);
            if (i >= length - 1 && windows.contains(hash)
                    && response.contains(request.substring(i - length + 1, i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** Polynomial hash of the last {@code length} characters, modulo 2^64. */
    private static final class RollingHash {
        private static final long BASE = 1_000_003L;
        private final long outgoingFactor;
        private long hash;

        RollingHash(int length) {
            long factor = 1;
            for (int i = 0; i < length - 1; i++) {
                factor *= BASE;
            }
            outgoingFactor = factor;
        }

        long push(char incoming, char outgoing) {
            hash = (hash - outgoing * outgoingFactor) * BASE + incoming;
            return hash;
        }
    }
}
