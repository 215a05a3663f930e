package org.dcpserve.core.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's generation defaults from {@code generation_config.json}, which a request's own settings override.
 * A setting the file leaves out is null ({@link #NONE} when there is no file).
 *
 * @param eosTokenIds every token that ends generation ({@code eos_token_id} is one id or a list); empty if unset
 * @param bosTokenId the token a sequence starts with
 * @param temperature sampling temperature
 * @param topP nucleus sampling mass
 * @param topK how many of the likeliest tokens sampling keeps
 * @param repetitionPenalty the penalty of tokens already generated (1 is none)
 * @param doSample whether to sample rather than decode greedily
 */
public record GenerationConfig(List<Integer> eosTokenIds, Integer bosTokenId, Double temperature, Double topP,
        Integer topK, Double repetitionPenalty, Boolean doSample) {

    public static final GenerationConfig NONE = new GenerationConfig(List.of(), null, null, null, null, null, null);

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** The defaults of the model directory {@code dir}: {@link #NONE} if it has no {@code generation_config.json}. */
    public static GenerationConfig load(Path dir) {
        Path file = dir.resolve("generation_config.json");
        return Files.isRegularFile(file) ? of(ModelJson.read(file), file) : NONE;
    }

    private static GenerationConfig of(Map<String, Object> json, Path file) {
        return new GenerationConfig(
                tokenIds(json.get("eos_token_id"), file),
                integer(json, "bos_token_id", file),
                decimal(json, "temperature", file),
                decimal(json, "top_p", file),
                integer(json, "top_k", file),
                decimal(json, "repetition_penalty", file),
                bool(json, "do_sample", file));
    }

    /** Whether {@code tokenId} is one of the ids that end generation. */
    public boolean stopsAt(int tokenId) {
        return eosTokenIds.contains(tokenId);
    }

    private static List<Integer> tokenIds(Object value, Path file) {
        if (value == null) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        for (Object id : value instanceof List<?> list ? list : List.of(value)) {
            if (!(id instanceof Integer i)) {
                throw new IllegalArgumentException(file + ": eos_token_id is an integer or a list of integers, not " + value);
            }
            ids.add(i);
        }
        return ids;
    }

    private static Integer integer(Map<String, Object> json, String key, Path file) {
        Object value = json.get(key);
        if (value == null || value instanceof Integer) {
            return (Integer) value;
        }
        throw new IllegalArgumentException(file + ": " + key + " is an integer, not " + value);
    }

    private static Double decimal(Map<String, Object> json, String key, Path file) {
        Object value = json.get(key);
        if (value == null || value instanceof Number) {
            return value == null ? null : ((Number) value).doubleValue();
        }
        throw new IllegalArgumentException(file + ": " + key + " is a number, not " + value);
    }

    private static Boolean bool(Map<String, Object> json, String key, Path file) {
        Object value = json.get(key);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new IllegalArgumentException(file + ": " + key + " is true or false, not " + value);
    }
}
