package org.dcpserve.core.tokenizer;

import static org.dcpserve.core.tokenizer.JsonFiles.bad;
import static org.dcpserve.core.tokenizer.JsonFiles.oneLine;
import static org.dcpserve.core.tokenizer.JsonFiles.quote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/**
 * Reads and writes {@link BpeTokenizer}'s {@code tokenizer.json} (format in its class comment). Written
 * by hand, one merge and one piece per line, so the file stays readable and diffs well; read as a JSON
 * tree so each rule can fail with its own one-line message.
 */
final class BpeFile {

    static final String FORMAT = "dcp-bpe";
    static final int VERSION = 1;
    static final String PRE_TOKENIZER = "gpt2-words";

    private BpeFile() {
    }

    static void write(BpeTokenizer tokenizer, Path file) throws IOException {
        int[][] merges = tokenizer.merges();
        StringBuilder json = new StringBuilder(merges.length * 32 + 256);
        json.append("{\n");
        json.append("  \"format\": ").append(quote(FORMAT)).append(",\n");
        json.append("  \"version\": ").append(VERSION).append(",\n");
        json.append("  \"pre_tokenizer\": ").append(quote(PRE_TOKENIZER)).append(",\n");
        json.append("  \"special_tokens\": [").append(quote(BpeTokenizer.END_OF_TEXT_PIECE)).append("],\n");
        json.append("  \"merges\": [");
        for (int i = 0; i < merges.length; i++) {
            json.append(i == 0 ? "\n" : ",\n").append("    [").append(merges[i][0]).append(", ").append(merges[i][1]).append(']');
        }
        json.append(merges.length == 0 ? "],\n" : "\n  ],\n");
        json.append("  \"pieces\": [");
        for (int i = 0; i < merges.length; i++) {
            json.append(i == 0 ? "\n" : ",\n").append("    ").append(quote(tokenizer.tokenText(BpeTokenizer.FIRST_MERGE_ID + i)));
        }
        json.append(merges.length == 0 ? "]\n" : "\n  ]\n");
        json.append("}\n");
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    static BpeTokenizer read(Path file) throws IOException {
        JsonNode root = JsonFiles.readObject(file);
        requireString(file, root, "format", FORMAT);
        JsonNode version = root.get("version");
        if (version == null || !version.isInt()) {
            throw bad(file, "\"version\" must be the integer " + VERSION);
        }
        if (version.intValue() != VERSION) {
            throw bad(file, "version " + version.intValue() + " is not supported (this build reads " + VERSION + ")");
        }
        requireString(file, root, "pre_tokenizer", PRE_TOKENIZER);
        JsonNode specials = root.get("special_tokens");
        if (specials == null || !specials.isArray() || specials.size() != 1 || !specials.get(0).isString()
                || !specials.get(0).stringValue().equals(BpeTokenizer.END_OF_TEXT_PIECE)) {
            throw bad(file, "\"special_tokens\" must be [" + quote(BpeTokenizer.END_OF_TEXT_PIECE) + "]");
        }

        JsonNode merges = root.get("merges");
        if (merges == null || !merges.isArray()) {
            throw bad(file, "\"merges\" must be an array of [left, right] pairs");
        }
        int[] lefts = new int[merges.size()];
        int[] rights = new int[merges.size()];
        for (int i = 0; i < merges.size(); i++) {
            JsonNode merge = merges.get(i);
            if (!merge.isArray() || merge.size() != 2 || !merge.get(0).isInt() || !merge.get(1).isInt()) {
                throw bad(file, "merge " + i + " is " + oneLine(merge.toString()) + ", not a [left, right] pair of ids");
            }
            lefts[i] = merge.get(0).intValue();
            rights[i] = merge.get(1).intValue();
        }
        BpeTokenizer tokenizer;
        try {
            tokenizer = new BpeTokenizer(lefts, rights);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
        checkPieces(file, root.get("pieces"), tokenizer);
        return tokenizer;
    }

    private static void checkPieces(Path file, JsonNode pieces, BpeTokenizer tokenizer) throws IOException {
        if (pieces == null) {
            return;
        }
        int merges = tokenizer.vocabSize() - BpeTokenizer.FIRST_MERGE_ID;
        if (!pieces.isArray() || pieces.size() != merges) {
            throw bad(file, "\"pieces\" must be an array of " + merges + " strings, one per merge");
        }
        for (int i = 0; i < merges; i++) {
            String expected = tokenizer.tokenText(BpeTokenizer.FIRST_MERGE_ID + i);
            JsonNode piece = pieces.get(i);
            if (!piece.isString() || !piece.stringValue().equals(expected)) {
                throw bad(file, "piece " + i + " is " + oneLine(piece.toString()) + " but merge " + i + " makes "
                        + quote(expected) + " (pieces and merges disagree)");
            }
        }
    }

    private static void requireString(Path file, JsonNode root, String name, String value) throws IOException {
        JsonNode node = root.get(name);
        if (node == null || !node.isString() || !node.stringValue().equals(value)) {
            throw bad(file, "\"" + name + "\" is " + (node == null ? "missing" : oneLine(node.toString()))
                    + ", expected " + quote(value));
        }
    }
}
