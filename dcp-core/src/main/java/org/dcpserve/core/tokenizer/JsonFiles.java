package org.dcpserve.core.tokenizer;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the tokenizers' JSON files as trees, failing with one-line messages that name the file. */
final class JsonFiles {

    /** Duplicate members are refused: with two "merges", which one the reader took would be a guess. */
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JsonFiles() {
    }

    /** The JSON object in {@code file}. */
    static JsonNode readObject(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw bad(file, "not valid JSON: " + describe(e));
        } catch (MalformedInputException e) {
            throw bad(file, "not UTF-8 text");
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "not a JSON object");
        }
        return root;
    }

    static IOException bad(Path file, String problem) {
        return new IOException("tokenizer " + file + ": " + problem);
    }

    /** JSON for a string: quoted and escaped. */
    static String quote(String text) {
        return JSON.writeValueAsString(text);
    }

    /** Keeps messages to one line and short, whatever a corrupt file contains. */
    static String oneLine(String text) {
        String flat = text.replaceAll("\\s*\\R\\s*", " ");
        return flat.length() > 80 ? flat.substring(0, 77) + "..." : flat;
    }

    private static String describe(JacksonException e) {
        TokenStreamLocation where = e.getLocation();
        String message = oneLine(String.valueOf(e.getOriginalMessage()));
        return where == null || where.getLineNr() < 0 ? message
                : message + " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }
}
