package org.dcpserve.core;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the data in {@code ../shared} (models, corpora) that must never be committed. Tests that
 * need it call {@link #assumePresent} so that a fresh clone without it still builds and passes.
 */
public final class SharedData {

    /** System property or environment variable that overrides where the shared directory is. */
    public static final String OVERRIDE = "DCP_SHARED_DIR";

    private SharedData() {
    }

    /**
     * The shared data directory: {@code DCP_SHARED_DIR} (system property, then environment), else
     * {@code ../../shared} seen from the module directory, which is Maven's working directory for tests.
     */
    public static Path sharedDir() {
        String override = System.getProperty(OVERRIDE, System.getenv(OVERRIDE));
        Path dir = override != null && !override.isBlank() ? Path.of(override) : Path.of("..", "..", "shared");
        return dir.toAbsolutePath().normalize();
    }

    public static Path stories260K() {
        return sharedDir().resolve("models/stories260K/stories260K.bin");
    }

    public static Path stories260KTokenizer() {
        return sharedDir().resolve("models/stories260K/tok512.bin");
    }

    /** Skips the calling test, with a message saying what is missing, unless {@code file} exists. */
    public static void assumePresent(Path file) {
        Assumptions.assumeTrue(Files.exists(file),
                "../shared not found: skipping, " + file + " is missing (set " + OVERRIDE + " to point elsewhere)");
    }
}
