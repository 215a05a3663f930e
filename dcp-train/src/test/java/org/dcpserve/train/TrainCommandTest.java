package org.dcpserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TrainCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run run, int exitCode, String containing) {
        assertThat(run.exitCode()).isEqualTo(exitCode);
        assertThat(run.err().strip()).doesNotContain("\n").doesNotContain("Exception").contains(containing);
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        assertOneLineError(run(), 2, "missing subcommand: corpus, tokenizer, init, train, eval, sweep, distill");
        assertOneLineError(run("train", "--data", "x", "--out", "y"), 2, "--base");
        assertOneLineError(run("train", "--base", "b", "--data", "x", "--out", "y", "--mode", "window"), 2,
                "--mode window needs --window");
        assertOneLineError(run("train", "--base", "b", "--data", "x", "--out", "y", "--mode", "sparse"), 2,
                "--mode must be dcp, dense or window");
        assertOneLineError(run("train", "--base", "b", "--data", "x", "--out", "y", "--steps", "many"), 2, "--steps");
    }

    @Test
    void failuresAreOneLineWithExitCode1() throws IOException {
        assertOneLineError(run("train", "--base", dir.resolve("nope").toString(), "--data", "x", "--out", "y",
                "--no-progress"), 1, "base model not found");
        Path base = TestModels.randomLlamaPackage(dir.resolve("base"), null, 3);
        assertOneLineError(run("train", "--base", base.toString(), "--data", dir.resolve("none.txt").toString(),
                "--out", dir.resolve("out").toString(), "--context", "32", "--no-progress"), 1, "training data not found");
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 10, 1);
        assertOneLineError(run("train", "--base", base.toString(), "--data", data.toString(),
                "--out", dir.resolve("out").toString(), "--context", "1000", "--no-progress"), 1, "exceeds the base model's context");
        assertOneLineError(run("train", "--base", base.toString(), "--data", data.toString(),
                "--out", dir.resolve("out").toString(), "--context", "32", "--resume", "--no-progress"), 1, "no checkpoint");
    }

    @Test
    void trainsAndExportsFromTheCommandLine() throws IOException {
        Path base = TestModels.randomLlamaPackage(dir.resolve("base"), null, 3);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 20, 1);
        Path out = dir.resolve("trained");
        String[] args = {"train", "--base", base.toString(), "--data", data.toString(), "--out", out.toString(),
                "--steps", "4", "--batch", "2", "--context", "16", "--rank", "4", "--lr", "1e-3", "--warmup", "1",
                "--threads", "2", "--no-progress"};
        Run first = run(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("wrote " + out).contains("step 4");
        ModelConfig config = ModelPackage.readConfig(out);
        assertThat(config.dcp().rank()).isEqualTo(4);
        assertThat(Files.exists(out.resolve("train_curves.png"))).isTrue();

        // Running the same command again would mix two runs in one checkpoint directory.
        assertOneLineError(run(args), 1, "already holds a checkpoint");
    }
}
