package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.server.trace.TraceRecorder;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * What storing a drop trace costs, measured through HTTP on stories260K: 200 new tokens, dense and with
 * random DCP gates that drop many tokens. Not part of the test run (the name does not end in Test):
 *
 * <pre>
 * ./mvnw -q install -DskipTests
 * ./mvnw -q -pl dcp-server test -Dtest=TraceWriteBenchmark
 * </pre>
 *
 * Add {@code -Dbench.postgres=true} to measure on PostgreSQL (embedded) instead of H2, {@code -Dbench.beta=}
 * for another gate bias, {@code -Dbench.tokens=} for another length.
 */
class TraceWriteBenchmark {

    static final int NEW_TOKENS = Integer.getInteger("bench.tokens", 200);
    static final int WARM_UP = 30;
    static final int RUNS = 60;
    /** Gate bias of the benchmark's gated stories260K. */
    static final float BETA = Float.parseFloat(System.getProperty("bench.beta", "2.0"));

    @Test
    void traceWriteCostPerToken() throws IOException {
        SharedData.assumePresent(SharedData.stories260K());
        Path gated = gatedStories260K(BETA);
        Map<String, String> properties = new HashMap<>();
        properties.put("server.port", "0");
        properties.put("dcp.model", gated.toString());
        EmbeddedPostgres postgres = null;
        if (Boolean.getBoolean("bench.postgres")) {
            postgres = EmbeddedPostgres.builder().start();
            properties.put("spring.profiles.active", "postgres");
            properties.put("DCP_DB_URL", postgres.getJdbcUrl("postgres", "postgres"));
            properties.put("DCP_DB_USER", "postgres");
            properties.put("DCP_DB_PASSWORD", "");
        } else {
            properties.put("spring.datasource.url", TestDatabases.freshH2File("bench"));
        }
        // As command-line arguments: they override application.yml (builder properties would not).
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DcpServerApplication.class)
                .run(args)) {
            HttpClientSupport http = new HttpClientSupport(
                    ((WebServerApplicationContext) context).getWebServer().getPort());
            for (String mode : List.of("dense", "dcp")) {
                run(http, mode, WARM_UP);
            }
            System.out.println("\nTRACE WRITE COST, " + (postgres == null ? "H2 file" : "PostgreSQL 17 (embedded)")
                    + ", stories260K, " + NEW_TOKENS + " new tokens, " + RUNS + " requests each, gate beta " + BETA);
            System.out.println("mode   tokens sparsity  drops  rows   trace_write_ms median / mean / p90   us per generated token"
                    + "   us per row   share of request");
            for (String mode : List.of("dense", "dcp")) {
                System.out.println(run(http, mode, RUNS));
            }
            System.out.println("In process, the same trace stored again and again under fresh ids:");
            for (Boolean pruning : List.of(false, true)) {
                System.out.println(inProcess(context, pruning));
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /**
     * Wall and thread CPU time of TraceRecorder.record alone: the difference is time spent waiting (file
     * writes, or a busy machine's scheduler), which HTTP timings cannot separate.
     */
    private static String inProcess(ConfigurableApplicationContext context, boolean pruning) {
        TextGenerator generator = context.getBean(TextGenerator.class);
        TraceRecorder recorder = context.getBean(TraceRecorder.class);
        Generation generation = generator.generate(new GenerationRequest("Once upon a time", NEW_TOKENS,
                new SamplingParams(0.8f, 0, 1f, 1), null, null, pruning), (token, delta) -> { });
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int runs = WARM_UP + RUNS;
        double[] wallMs = new double[RUNS];
        double[] cpuMs = new double[RUNS];
        for (int i = 0; i < runs; i++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wallNanos = recorder.record(UUID.randomUUID(), null, "Once upon a time", generation);
            if (i >= WARM_UP) {
                wallMs[i - WARM_UP] = wallNanos / 1e6;
                cpuMs[i - WARM_UP] = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
            }
        }
        Arrays.sort(wallMs);
        Arrays.sort(cpuMs);
        return String.format("%-6s %d drops: median wall %.2f ms, median thread CPU %.2f ms",
                pruning ? "dcp" : "dense", generation.pruning().drops().size(), wallMs[RUNS / 2], cpuMs[RUNS / 2]);
    }

    private static String run(HttpClientSupport http, String mode, int requests) {
        double[] writeMs = new double[requests];
        double totalWriteMs = 0;
        double totalRequestMs = 0;
        long tokens = 0;
        long drops = 0;
        long rows = 0;
        double sparsity = 0;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = http.postJson("/generate", "{\"inputs\": \"Once upon a time\","
                    + " \"parameters\": {\"details\": true, \"max_new_tokens\": " + NEW_TOKENS + ", \"temperature\": 0.8, \"seed\": " + i
                    + ", \"pruning\": " + mode.equals("dcp") + "}}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode details = HttpClientSupport.json(response).get("details");
            int generated = details.get("generated_tokens").asInt();
            int requestDrops = 0;
            for (JsonNode layer : details.get("pruning").get("layers")) {
                requestDrops += layer.get("dropped").asInt();
            }
            writeMs[i] = details.get("timings").get("trace_write_ms").asDouble();
            totalWriteMs += writeMs[i];
            totalRequestMs += details.get("timings").get("total_ms").asDouble() + writeMs[i];
            tokens += generated;
            sparsity += details.get("pruning").get("sparsity").asDouble();
            drops += requestDrops;
            // trace + tokens (prompt and generated) + layers + drops
            rows += 1 + details.get("prompt_tokens").asInt() + generated
                    + details.get("pruning").get("layers").size() + requestDrops;
        }
        Arrays.sort(writeMs);
        return String.format("%-6s %6.0f %8.2f %6.0f %5.0f   %7.2f / %5.2f / %5.2f              %7.1f              %6.2f       %4.1f %%",
                mode, (double) tokens / requests, sparsity / requests, (double) drops / requests, (double) rows / requests,
                writeMs[requests / 2], totalWriteMs / requests, writeMs[(int) (requests * 0.9)],
                totalWriteMs * 1000 / tokens, totalWriteMs * 1000 / rows, 100 * totalWriteMs / totalRequestMs);
    }

    /** stories260K with random DCP gates (rank 8, the same beta in every layer), written once under target/. */
    static Path gatedStories260K(float beta) throws IOException {
        Path dir = Path.of("target", "bench-models", "stories260K-gated-" + beta).toAbsolutePath();
        if (Files.exists(dir.resolve(ModelPackage.CONFIG_FILE))) {
            return dir;
        }
        ImportedModel imported = Llama2cImporter.load(SharedData.stories260K(), SharedData.stories260KTokenizer());
        ModelConfig config = imported.config();
        float[] betas = new float[config.layers()];
        Arrays.fill(betas, beta);
        int rank = 8;
        config = config.withDcp(new ModelConfig.DcpSpec(rank, betas));
        ModelWeights weights = imported.weights();
        SplittableRandom random = new SplittableRandom(260);
        double std = 1.0 / Math.sqrt(config.dModel());
        for (int l = 0; l < config.layers(); l++) {
            weights.put(ModelWeights.layer(l, "wq_int"), RandomModels.gaussian(random, std, config.dModel(), rank));
            weights.put(ModelWeights.layer(l, "wk_int"), RandomModels.gaussian(random, std, config.dModel(), rank));
        }
        ModelPackage.write(dir, config, weights, imported.tokenizerFile());
        return dir;
    }
}
