package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts real JVMs that load ONNX Runtime through the cache, with their own java.io.tmpdir, and counts what ONNX
 * Runtime leaves there: nothing, after normal exits, a kill -9 and two processes starting at once.
 */
class OrtNativeCacheTest {

    @TempDir
    Path dir;

    @Test
    void startsTwiceLeavingNoTempFolderAndExtractingOnce() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");

        Path first = Path.of(runChild(tmp, cache, false));
        Path library = first.resolve(System.mapLibraryName("onnxruntime"));
        Object inode = Files.readAttributes(library, BasicFileAttributes.class).fileKey();
        assertThat(Files.size(library)).isGreaterThan(1_000_000);
        assertThat(ortTempFolders(tmp)).isEmpty();

        assertThat(Path.of(runChild(tmp, cache, false))).isEqualTo(first);
        // Reused, not written again: the same file, and nothing else beside the libraries.
        assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        assertThat(ortTempFolders(tmp)).isEmpty();
        try (Stream<Path> files = Files.list(first)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
        try (Stream<Path> versions = Files.list(cache)) {
            assertThat(versions).hasSize(1);
        }
    }

    @Test
    void aKilledProcessLeavesNoTempFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process child = startChild(tmp, dir.resolve("cache"), true);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("loaded ");
            child.destroyForcibly();   // SIGKILL: no shutdown hooks, no deleteOnExit
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ortTempFolders(tmp)).isEmpty();
    }

    @Test
    void twoProcessesStartingAtOnceShareOneCompleteCache() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(startChild(tmp, cache, false));
        }
        List<String> folders = new ArrayList<>();
        for (Process child : children) {
            folders.add(finish(child));
        }
        assertThat(folders.get(0)).isEqualTo(folders.get(1));
        assertThat(ortTempFolders(tmp)).isEmpty();
        try (Stream<Path> files = Files.list(Path.of(folders.get(0)))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    private List<Path> ortTempFolders(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("onnxruntime-java")).toList();
        }
    }

    private String runChild(Path tmp, Path cache, boolean hang) throws Exception {
        return finish(startChild(tmp, cache, hang));
    }

    private static String finish(Process child) throws Exception {
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(err).isZero();
        assertThat(out).as(err).startsWith("loaded ");
        return out.substring("loaded ".length());
    }

    private static Process startChild(Path tmp, Path cache, boolean hang) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-D" + OrtNativeCache.CACHE_PROPERTY + "=" + cache,
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), Boolean.toString(hang)).start();
    }

    /** What the CLI and the service do at start: the cache, then ONNX Runtime. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path folder = OrtNativeCache.install().orElseThrow();
            OrtEnvironment.getEnvironment().close();
            System.out.println("loaded " + folder);
            System.out.flush();
            if (Boolean.parseBoolean(args[0])) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
