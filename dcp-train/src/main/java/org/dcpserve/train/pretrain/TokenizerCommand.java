package org.dcpserve.train.pretrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dcpserve.core.tokenizer.BpeTokenizer;
import org.dcpserve.core.tokenizer.BpeTrainer;
import org.dcpserve.train.train.TokenData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dcp-train tokenizer}: learns a byte-level BPE vocabulary from a training text. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Learn a byte-level BPE tokenizer (words pre-split GPT-2 style, byte fallback, <|endoftext|> as"
                + " id 0) from a training text and write it as tokenizer.json.")
public final class TokenizerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "training text: documents separated by lines holding only <|endoftext|>")
    Path data;

    @Option(names = "--vocab", defaultValue = "4096", description = "vocabulary size (258 .. 65536); default: ${DEFAULT-VALUE}")
    int vocab;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "tokenizer file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (vocab < 258 || vocab > 65536) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--vocab must be between 258 and 65536, not " + vocab);
        }
        if (!Files.isRegularFile(data)) {
            throw new java.io.IOException("training data not found: " + data.toAbsolutePath().normalize());
        }
        List<String> documents = TokenData.stories(Files.readString(data));
        long began = System.nanoTime();
        BpeTokenizer tokenizer = BpeTrainer.train(documents, vocab);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        tokenizer.save(out);
        spec.commandLine().getOut().printf("wrote %s: %d tokens learned from %d documents in %.1f s%n", out,
                tokenizer.vocabSize(), documents.size(), (System.nanoTime() - began) / 1e9);
        return 0;
    }
}
