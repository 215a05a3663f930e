package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started twice as its own JVM, with its own java.io.tmpdir: once stopped normally (SIGTERM), once
 * killed (SIGKILL). ONNX Runtime's libraries come from the cache both times, written once, and no
 * {@code onnxruntime-java*} folder is left in the temp directory. Its time is spent in those JVMs, so it runs
 * beside the other test classes (junit-platform.properties).
 */
@Execution(ExecutionMode.CONCURRENT)
class ServiceNativesTest {

    @TempDir
    Path dir;

    @Test
    void startingTheServiceTwiceLeavesNoOnnxRuntimeTempFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("native-cache");

        Process first = startService(tmp, cache);
        first.destroy();   // SIGTERM: a normal stop
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ortTempFolders(tmp)).isEmpty();
        Path library = onlyLibrary(cache);
        Object written = Files.readAttributes(library, BasicFileAttributes.class).fileKey();

        Process second = startService(tmp, cache);
        second.destroyForcibly();   // SIGKILL: no shutdown hooks
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ortTempFolders(tmp)).isEmpty();
        assertThat(onlyLibrary(cache)).isEqualTo(library);
        assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey()).as("not written again")
                .isEqualTo(written);
    }

    private static Path onlyLibrary(Path cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache)) {
            List<Path> libraries = files.filter(p -> p.getFileName().toString()
                    .equals(System.mapLibraryName("onnxruntime"))).toList();
            assertThat(libraries).hasSize(1);
            return libraries.getFirst();
        }
    }

    private static List<Path> ortTempFolders(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("onnxruntime-java")).toList();
        }
    }

    /** Starts the service and returns once it has started (it generated nothing: loading the model is the point). */
    private Process startService(Path tmp, Path cache) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only: a JVM that just starts and stops never earns back C2's compile time (about half the CPU a start
        // takes); what is compiled how has nothing to do with where ONNX Runtime's libraries go.
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), DcpServerApplication.class.getName(),
                "--server.port=0", "--dcp.model=" + TestModels.randomGpt2Package(), "--dcp.native-cache=" + cache,
                "--spring.datasource.url=" + TestDatabases.h2File(dir.resolve("traces")))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder log = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            log.append(line).append('\n');
            if (line.contains("Started DcpServerApplication")) {
                assertThat(log).contains("ONNX Runtime libraries from " + cache);
                // Keep draining its output so the service never blocks on a full pipe.
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
                return process;
            }
        }
        throw new AssertionError("the service did not start:\n" + log);
    }
}
