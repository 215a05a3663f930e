package org.dcpserve.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How fast this machine streams memory right now, from an external probe (scripts/reference/read-bandwidth.c,
 * compiled by scripts/bench-shapes.sh): a process that prints GB/s on one line. Run between decode
 * measurements, so a bound and the speed it bounds see the same load from other jobs.
 */
final class BandwidthProbe {

    private final Path executable;
    private final int mebibytes;

    /** @param mebibytes how much the probe reads per pass: far past the last-level cache */
    BandwidthProbe(Path executable, int mebibytes) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException("bandwidth probe " + executable + " is not an executable file");
        }
        this.executable = executable;
        this.mebibytes = mebibytes;
    }

    /** One run of the probe: its GB/s (1e9 bytes per second). */
    double gigabytesPerSecond() {
        try {
            Process process = new ProcessBuilder(List.of(executable.toString(), Integer.toString(mebibytes)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int status = process.waitFor();
            if (status != 0) {
                throw new IllegalStateException("bandwidth probe " + executable + " exited with " + status);
            }
            return Double.parseDouble(out);
        } catch (IOException e) {
            throw new IllegalStateException("bandwidth probe " + executable + " did not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing the bandwidth", e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("bandwidth probe " + executable + " printed no GB/s figure", e);
        }
    }
}
