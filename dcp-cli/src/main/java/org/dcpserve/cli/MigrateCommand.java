package org.dcpserve.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Rewrites an older model package in the current format. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Rewrite a model package of an older format_version in place in the current one (same weights,"
                + " graphs rebuilt). Older packages also load as they are, with their graphs rebuilt at every start.")
final class MigrateCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the model package directory")
    Path directory;

    @Override
    public Integer call() throws Exception {
        boolean migrated = ModelPackage.migrate(directory);
        System.out.printf(migrated ? "%s: rewritten as format_version %d%n" : "%s: already format_version %d%n",
                directory, ModelConfig.FORMAT_VERSION);
        return 0;
    }
}
