package org.dcpserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe is a real process; what it prints, how it fails. */
class BandwidthProbeTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFigureTheProbePrintsForTheSizeAsked() throws Exception {
        // Echoes its MiB argument / 100 as GB/s: the size reaches the process.
        Path probe = script("echo \"$(( $1 / 100 )).5\"");
        assertThat(new BandwidthProbe(probe, 1200).gigabytesPerSecond()).isEqualTo(12.5);
    }

    @Test
    void aProbeThatFailsOrPrintsNoFigureIsAClearError() throws Exception {
        assertThatThrownBy(() -> new BandwidthProbe(script("exit 3"), 64).gigabytesPerSecond())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited with 3");
        assertThatThrownBy(() -> new BandwidthProbe(script("echo fast"), 64).gigabytesPerSecond())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("printed no GB/s figure");
        assertThatThrownBy(() -> new BandwidthProbe(dir.resolve("missing"), 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an executable file");
    }

    private Path script(String body) throws Exception {
        Path file = Files.createTempFile(dir, "probe", ".sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
