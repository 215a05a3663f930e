package org.dcpserve.cli;

import org.dcpserve.bench.BenchCommand;
import org.dcpserve.bench.BenchGridCommand;
import org.dcpserve.bench.KvLayoutCommand;
import org.dcpserve.bench.LoadCommand;
import org.dcpserve.bench.LoadMixCommand;
import org.dcpserve.core.engine.OrtNativeCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dcp command-line tool: model import and benchmarks, without the service. */
@Command(name = "dcp", mixinStandardHelpOptions = true, version = "dcp-serve 0.1",
        description = "Dynamic Context Pruning tools.",
        subcommands = {ImportCommand.class, MigrateCommand.class, BenchCommand.class, BenchGridCommand.class, LoadCommand.class,
                KvLayoutCommand.class, LoadMixCommand.class})
public final class DcpCommand {

    public static void main(String[] args) {
        // Before the first OrtEnvironment: ONNX Runtime loads from the shared cache instead of a new temp folder.
        OrtNativeCache.install();
        System.exit(execute(args));
    }

    /** Runs a command; errors print as one line on stderr, never as a stack trace. */
    public static int execute(String... args) {
        return new CommandLine(new DcpCommand())
                .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                    commandLine.getErr().println("dcp " + commandLine.getCommandName() + ": " + exception.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
