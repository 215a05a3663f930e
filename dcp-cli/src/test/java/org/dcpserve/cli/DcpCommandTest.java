package org.dcpserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.dcpserve.core.importer.HfGpt2CheckpointWriter;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DcpCommandTest {

    @TempDir
    Path dir;

    @Test
    void importWritesAPackageTheLoaderServes() throws Exception {
        Path checkpoint = HfGpt2CheckpointWriter.write(dir.resolve("hf"), 1, 2, 8, 16, 50, 9);
        Path output = dir.resolve("package");
        assertThat(DcpCommand.execute("import", checkpoint.toString(), output.toString())).isZero();
        ModelSource source = ModelLoader.load(output);
        assertThat(source.kind()).isEqualTo(ModelSource.Kind.MODEL_PACKAGE);
        assertThat(source.config().provenance().importer()).isEqualTo("huggingface-gpt2");
    }

    @Test
    void aMissingCheckpointIsOneLineOnStderr() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(DcpCommand.execute("import", dir.resolve("missing.bin").toString(), dir.resolve("out").toString()))
                    .isEqualTo(1);
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message.lines()).hasSize(1);
        assertThat(message).startsWith("dcp import: model not found:").doesNotContain("Exception");
    }
}
