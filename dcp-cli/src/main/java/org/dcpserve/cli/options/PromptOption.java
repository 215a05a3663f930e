package org.dcpserve.cli.options;

import picocli.CommandLine.Option;

/** {@code --prompt}: the text the commands that generate (bench, load) start every generation from. */
public final class PromptOption {

    @Option(names = "--prompt", paramLabel = "<prompt>", description = "prompt text (default: ${DEFAULT-VALUE})")
    String text = "Once upon a time";

    public String text() {
        return text;
    }
}
