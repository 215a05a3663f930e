package org.dcpserve.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.dcpserve.cli.options.PromptOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP load against a running service: N clients, each sending its next request as soon as the last one was
 * answered, for a fixed time per level. Reports aggregate generated tokens/s, request latency p50/p99 and the
 * 429s; optionally checks, right after a response, that /explain already has its trace.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "N concurrent HTTP clients against a running dcp-serve: aggregate tokens/s, latency p50/p99, 429s.")
public final class LoadCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--url", description = "service root (default: ${DEFAULT-VALUE})")
    String url = "http://localhost:8080";

    @Option(names = "--clients", split = ",", description = "concurrent clients, one level each (default: ${DEFAULT-VALUE})")
    List<Integer> clients = List.of(1, 8, 32, 64);

    @Option(names = "--seconds", description = "measured time per level, after --warmup (default: ${DEFAULT-VALUE})")
    int seconds = 20;

    @Option(names = "--warmup", description = "unmeasured seconds before each level (default: ${DEFAULT-VALUE})")
    int warmup = 3;

    @Mixin
    PromptOption prompt;

    @Option(names = "--max-new-tokens", description = "tokens per request (default: ${DEFAULT-VALUE})")
    int maxNewTokens = 200;

    @Option(names = "--temperature", description = "sampling temperature, 0 greedy (default: ${DEFAULT-VALUE})")
    double temperature = 0.8;

    @Option(names = "--pruning", description = "true or false (default: absent, the model's default)")
    Boolean pruning;

    @Option(names = "--stream", description = "use /generate_stream and count token events")
    boolean stream;

    @Option(names = "--no-trace", description = "send \"trace\": false (nothing is stored; no trace checks), to see"
            + " what storing the traces costs")
    boolean noTrace;

    @Option(names = "--check-traces", description = "GET /explain/{id} after every Nth response and count misses"
            + " (0: never; default: ${DEFAULT-VALUE})")
    int checkTraces = 10;

    @Option(names = "--label", description = "a label for the CSV row (default: ${DEFAULT-VALUE})")
    String label = "run";

    @Option(names = "--csv", description = "append one row per level to this CSV")
    Path csv;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        System.out.println("| label | clients | requests | tokens/s | latency p50 ms | latency p99 ms | 429 | errors | traces checked | traces missing |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int n : clients) {
            Level level = runLevel(http, n);
            String row = String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %d | %d | %d | %d |",
                    label, n, level.requests, level.tokensPerSecond(), level.percentile(0.5), level.percentile(0.99),
                    level.refused.get(), level.errors.get(), level.tracesChecked.get(), level.tracesMissing.get());
            System.out.println(row);
            if (csv != null) {
                if (!Files.exists(csv)) {
                    Files.writeString(csv, "label,clients,requests,tokens_per_s,latency_p50_ms,latency_p99_ms,"
                            + "refused_429,errors,traces_checked,traces_missing\n");
                }
                Files.writeString(csv, String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%.1f,%d,%d,%d,%d%n", label, n,
                        level.requests, level.tokensPerSecond(), level.percentile(0.5), level.percentile(0.99),
                        level.refused.get(), level.errors.get(), level.tracesChecked.get(), level.tracesMissing.get()),
                        StandardOpenOption.APPEND);
            }
        }
        return 0;
    }

    private Level runLevel(HttpClient http, int n) throws InterruptedException {
        Level level = new Level();
        long start = System.nanoTime();
        long measureFrom = start + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < n; c++) {
                int client = c;
                pool.execute(() -> clientLoop(http, client, level, measureFrom, end));
            }
        }
        level.wallNanos = end - measureFrom;
        return level;
    }

    private void clientLoop(HttpClient http, int client, Level level, long measureFrom, long end) {
        long seq = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            String body = "{\"inputs\": " + JSON.writeValueAsString(prompt.text()) + ", \"parameters\": {\"max_new_tokens\": "
                    + maxNewTokens + (temperature > 0 ? ", \"temperature\": " + temperature + ", \"seed\": "
                    + (client * 1_000_003L + seq) : "") + (pruning == null ? "" : ", \"pruning\": " + pruning)
                    + (noTrace ? ", \"trace\": false" : "") + ", \"details\": true}}";
            seq++;
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + (stream ? "/generate_stream" : "/generate")))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(600))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                // A request counts in the level it ended in, if it ended after the warm-up.
                boolean measured = t1 >= measureFrom && t1 <= end;
                if (response.statusCode() == 429) {
                    if (measured) {
                        level.refused.incrementAndGet();
                    }
                    continue;
                }
                if (response.statusCode() != 200) {
                    level.errors.incrementAndGet();
                    continue;
                }
                JsonNode result = stream ? lastEvent(response.body()) : JSON.readTree(response.body());
                if (result == null || result.has("error")) {
                    level.errors.incrementAndGet();
                    continue;
                }
                if (measured) {
                    level.add(result.get("details").get("generated_tokens").asLong(), t1 - t0);
                    if (!noTrace && checkTraces > 0 && level.measuredResponses.incrementAndGet() % checkTraces == 0) {
                        level.tracesChecked.incrementAndGet();
                        HttpResponse<Void> explained = http.send(HttpRequest.newBuilder(
                                URI.create(url + "/explain/" + result.get("request_id").asString())).GET().build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (explained.statusCode() != 200) {
                            level.tracesMissing.incrementAndGet();
                        }
                    }
                }
            } catch (IOException e) {
                level.errors.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static JsonNode lastEvent(String body) {
        JsonNode last = null;
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                last = JSON.readTree(line.substring(5));
            }
        }
        return last;
    }

    private static final class Level {
        final AtomicLong refused = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong tracesChecked = new AtomicLong();
        final AtomicLong tracesMissing = new AtomicLong();
        /** Measured responses over all clients: every Nth one's trace is checked. */
        final AtomicLong measuredResponses = new AtomicLong();
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong tokens = new AtomicLong();
        long requests;
        long wallNanos;

        void add(long generated, long nanos) {
            tokens.addAndGet(generated);
            latencies.add(nanos);
            synchronized (this) {
                requests++;
            }
        }

        double tokensPerSecond() {
            return tokens.get() * 1e9 / wallNanos;
        }

        double percentile(double q) {
            List<Long> sorted = new ArrayList<>(latencies);
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            int index = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
        }
    }
}
