package org.dcpserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.dcpserve.core.ChildJvm;
import org.dcpserve.core.importer.HfGpt2CheckpointWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/dcp} prints only its own output, in a fresh JVM: no "No SLF4J providers" notice (the tool has a
 * binding), no log lines below warnings, and no JDK warning about protobuf's use of sun.misc.Unsafe when the
 * first graph is built.
 */
class QuietOutputTest {

    @TempDir
    Path dir;

    @Test
    void helpPrintsTheUsageAndNothingElse() throws Exception {
        ChildJvm.Result result = ChildJvm.run(DcpCommand.class, "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo(new CommandLine(new DcpCommand()).getUsageMessage());
    }

    @Test
    void anImportPrintsOnlyItsSummaryLine() throws Exception {
        Path checkpoint = HfGpt2CheckpointWriter.write(dir.resolve("hf"), 1, 2, 8, 16, 50, 9);
        Path output = dir.resolve("package");
        ChildJvm.Result result = ChildJvm.run(DcpCommand.class, "import", checkpoint.toString(), output.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).matches("wrote " + Pattern.quote(output.toString())
                + ": gpt2, 1 layers, d_model 8, 2 heads \\(2 kv\\), context 16\\R");
    }
}
