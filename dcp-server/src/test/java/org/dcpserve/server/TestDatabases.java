package org.dcpserve.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Databases for the server's tests: real H2 files, as the service uses by default, each in a fresh directory. */
public final class TestDatabases {

    private TestDatabases() {
    }

    /** A new, empty H2 file database under target/, so tests never see the traces of an earlier run. */
    public static String freshH2File(String name) {
        try {
            Path root = Files.createDirectories(Path.of("target", "test-databases"));
            return h2File(Files.createTempDirectory(root, name + "-").resolve("traces"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDBC URL of an H2 database in {@code file} (H2 adds .mv.db). */
    public static String h2File(Path file) {
        // As application.yml sets it; -Dtest.h2options=... lets the benchmark compare other settings.
        return "jdbc:h2:file:" + file.toAbsolutePath() + System.getProperty("test.h2options", ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    }
}
