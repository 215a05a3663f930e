package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code config.json} of a Hugging Face checkpoint directory, read so that every problem becomes one
 * {@link IllegalArgumentException} naming the checkpoint and the key (the importers' shared error style).
 *
 * @param kind what the checkpoint was expected to be, for messages ("GPT-2", "Llama-family")
 * @param dir  the checkpoint directory
 * @param json the parsed {@code config.json}
 */
record HuggingFaceConfig(String kind, Path dir, JsonNode json) {

    static final String FILE = "config.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Reads {@code dir/config.json}. */
    static HuggingFaceConfig read(String kind, Path dir) throws IOException {
        Path file = existing(kind, dir, FILE);
        try {
            return new HuggingFaceConfig(kind, dir, JSON.readTree(Files.readString(file)));
        } catch (JacksonException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** {@code dir/name}, which must be a regular file. */
    static Path existing(String kind, Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, kind + " checkpoint has no " + name);
        }
        return file;
    }

    /** An integer key that must be present. */
    int integer(String key) {
        JsonNode value = json.path(key);
        check(value.isIntegralNumber() && value.canConvertToInt(), FILE + " needs an integer '" + key + "'");
        return value.asInt();
    }

    /** An integer key, or {@code fallback} when it is absent or null. */
    int integer(String key, int fallback) {
        return json.hasNonNull(key) ? integer(key) : fallback;
    }

    /** A number key, or {@code fallback} when it is absent or null. */
    double number(String key, double fallback) {
        JsonNode value = json.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        check(value.isNumber(), FILE + " has a non-numeric '" + key + "'");
        return value.asDouble();
    }

    String string(String key, String fallback) {
        return json.path(key).asString(fallback);
    }

    boolean bool(String key, boolean fallback) {
        return json.path(key).asBoolean(fallback);
    }

    void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(kind + " checkpoint " + dir + ": " + problem);
        }
    }
}
