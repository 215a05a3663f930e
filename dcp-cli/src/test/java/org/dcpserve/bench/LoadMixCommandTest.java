package org.dcpserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dcpserve.cli.DcpCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load-mix on the tiny shape: both models finish every request and the DCP model prunes and fits more. */
class LoadMixCommandTest {

    @Test
    void theDcpModelPrunesAndRunsMoreSequencesAtOneBudget(@TempDir Path out) throws Exception {
        assertThat(DcpCommand.execute("load-mix", "--shape", "tiny", "--requests", "12", "--kv-budget-mb", "2",
                "--out", out.toString())).isZero();
        List<String> rows = Files.readAllLines(out.resolve("load-mix-tiny.csv"));
        assertThat(rows).hasSize(3);
        String[] dense = rows.get(1).split(",");
        String[] dcp = rows.get(2).split(",");
        assertThat(dense[1]).isEqualTo("dense");
        assertThat(dcp[1]).isEqualTo("dcp");
        assertThat(Integer.parseInt(dcp[4])).as("most running").isGreaterThan(Integer.parseInt(dense[4]));
        assertThat(Double.parseDouble(dcp[11])).as("sparsity of the pruned requests").isGreaterThan(0.5);
        assertThat(out.resolve("load-mix-tiny.png")).exists();
        assertThat(Files.readAllLines(out.resolve("timeline-tiny-dcp.csv")).get(0))
                .isEqualTo("seconds,running,allocated_bytes,held_bytes");
    }
}
