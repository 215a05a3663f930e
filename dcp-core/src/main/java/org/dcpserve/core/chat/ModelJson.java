package org.dcpserve.core.chat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads the JSON files of a Hugging Face model directory, keys in file order. */
final class ModelJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ModelJson() {
    }

    static Map<String, Object> read(Path file) {
        try {
            return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getOriginalMessage(), e);
        }
    }
}
