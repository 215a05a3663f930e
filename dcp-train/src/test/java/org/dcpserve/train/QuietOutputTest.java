package org.dcpserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.dcpserve.core.ChildJvm;
import org.dcpserve.core.DefaultModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/dcp-train} prints only its own output, in a fresh JVM: no log lines below warnings (DJL's and
 * the engine's), and no JDK warning about protobuf's use of sun.misc.Unsafe when the first graph is built.
 */
class QuietOutputTest {

    @TempDir
    Path dir;

    @Test
    void helpPrintsTheUsageAndNothingElse() throws Exception {
        ChildJvm.Result result = ChildJvm.run(TrainCommand.class, "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo(new CommandLine(new TrainCommand()).getUsageMessage());
    }

    @Test
    void anInitPrintsOnlyItsSummaryLine() throws Exception {
        Path out = dir.resolve("init");
        ChildJvm.Result result = ChildJvm.run(TrainCommand.class, "init", "--tokenizer",
                DefaultModel.path().resolve("tokenizer.json").toString(), "--out", out.toString(), "--layers", "1",
                "--d-model", "32", "--heads", "2", "--context", "64");
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).matches("wrote " + Pattern.quote(out.toString()) + ": gpt2, 1 layers x 32, .*\\R");
    }
}
