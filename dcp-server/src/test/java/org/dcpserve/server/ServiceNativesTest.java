package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
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

        ServiceProcess first = startService(tmp, cache);
        first.terminate();
        assertThat(first.awaitExit(Duration.ofSeconds(60))).isTrue();
        assertThat(ortTempFolders(tmp)).isEmpty();
        Path library = onlyLibrary(cache);
        Object written = Files.readAttributes(library, BasicFileAttributes.class).fileKey();

        ServiceProcess second = startService(tmp, cache);
        second.kill();
        assertThat(second.awaitExit(Duration.ofSeconds(60))).isTrue();
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
    private ServiceProcess startService(Path tmp, Path cache) throws IOException {
        ServiceProcess service = ServiceProcess.start(List.of("-Djava.io.tmpdir=" + tmp),
                List.of("--dcp.model=" + TestModels.randomGpt2Package(), "--dcp.native-cache=" + cache,
                        "--spring.datasource.url=" + TestDatabases.h2File(dir.resolve("traces"))));
        assertThat(service.log()).contains("ONNX Runtime libraries from " + cache);
        return service;
    }
}
