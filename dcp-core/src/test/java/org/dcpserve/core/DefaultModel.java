package org.dcpserve.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The default model committed in {@code onnx-models/}: tests that use it never skip, since a fresh
 * clone has it. A missing package is a failure, not a skip.
 */
public final class DefaultModel {

    /** {@code dcp.model}'s default, relative to the repository root (the run command's working directory). */
    public static final String RELATIVE_PATH = "onnx-models/sotu-dcp";

    private DefaultModel() {
    }

    /** The package directory, seen from a module directory (Maven's working directory for tests). */
    public static Path path() {
        Path dir = Path.of("..").resolve(RELATIVE_PATH).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the default model " + dir + " is missing: it is committed, restore it"
                    + " with git or rebuild it with scripts/reproduce-default-model.sh");
        }
        return dir;
    }
}
