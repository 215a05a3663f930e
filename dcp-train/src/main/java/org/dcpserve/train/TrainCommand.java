package org.dcpserve.train;

import java.io.PrintWriter;
import org.dcpserve.core.engine.OrtNativeCache;
import org.dcpserve.train.corpus.CorpusCommand;
import org.dcpserve.train.eval.DistillCommand;
import org.dcpserve.train.eval.EvalCommand;
import org.dcpserve.train.eval.SweepCommand;
import org.dcpserve.train.pretrain.InitCommand;
import org.dcpserve.train.pretrain.TokenizerCommand;
import org.dcpserve.train.train.TrainSubcommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The dcp-train command-line tool. Subcommands are listed in {@code subcommands} below: add a class
 * there to add a subcommand (corpus preparation in org.dcpserve.train.corpus, tokenizer and init in
 * org.dcpserve.train.pretrain, eval, sweep and distill in org.dcpserve.train.eval).
 */
@Command(name = "dcp-train", mixinStandardHelpOptions = true, version = "dcp-train 0.1",
        description = "Pretrain and fine-tune transformer language models with Dynamic Context Pruning (DJL + PyTorch, CPU).",
        subcommands = {
                CorpusCommand.class,
                TokenizerCommand.class,
                InitCommand.class,
                TrainSubcommand.class,
                EvalCommand.class,
                SweepCommand.class,
                DistillCommand.class,
        })
public final class TrainCommand implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // Before the first OrtEnvironment (evaluation runs the serving engine): the shared native cache.
        OrtNativeCache.install();
        System.exit(execute(args));
    }

    /**
     * Runs a command line. Usage errors print one line on stderr and return 2; failures print one
     * line and return 1; never a stack trace.
     */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** {@link #execute(String...)} with the command's output and error streams given (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new TrainCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((exception, arguments) -> {
                    CommandLine command = exception.getCommandLine();
                    command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + oneLine(exception)
                            + " (see --help)");
                    return 2;
                })
                .setExecutionExceptionHandler((exception, command, parseResult) -> {
                    command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + oneLine(exception));
                    return 1;
                })
                .execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    private static String oneLine(Throwable exception) {
        String message = exception.getMessage();
        if (message == null || message.isBlank()) {
            message = exception.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
