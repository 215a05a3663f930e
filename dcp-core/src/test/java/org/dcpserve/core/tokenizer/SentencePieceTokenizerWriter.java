package org.dcpserve.core.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writes a small SentencePiece-style {@code tokenizer.json} for tests whose model vocabulary is too small for a real one. */
public final class SentencePieceTokenizerWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The ids of {@link #write}: specials, then the 256 byte-fallback tokens, then pieces. */
    public static final int UNK = 0, BOS = 1, EOS = 2, FIRST_BYTE = 3;
    /** How many ids {@link #write}'s vocabulary has. */
    public static final int VOCAB = 288;

    private SentencePieceTokenizerWriter() {
    }

    /**
     * A Hugging Face {@code tokenizer.json} in the SentencePiece style of Mistral's and Llama 2's: {@code <unk> <s>
     * </s>} (ids 0, 1, 2, as HfLlamaCheckpointWriter's config names BOS and EOS), the byte-fallback tokens
     * {@code <0x00>..<0xFF>} (3..258), then "▁", a..z, "▁t" and "he" (two merges); spaces become "▁" and one
     * is prepended. {@link #VOCAB} ids. Returns the file.
     */
    public static Path write(Path dir) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        ObjectNode model = json.putObject("model").put("type", "BPE").put("byte_fallback", true)
                .put("unk_token", "<unk>").put("fuse_unk", true);
        ObjectNode vocab = model.putObject("vocab").put("<unk>", UNK).put("<s>", BOS).put("</s>", EOS);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format("<0x%02X>", b), FIRST_BYTE + b);
        }
        int id = FIRST_BYTE + 256;
        vocab.put("\u2581", id++);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.put(String.valueOf(c), id++);
        }
        vocab.put("\u2581t", id++).put("he", id);
        model.putArray("merges").add("\u2581 t").add("h e");
        ArrayNode added = json.putArray("added_tokens");
        for (String special : List.of("<unk>", "<s>", "</s>")) {
            added.addObject().put("id", vocab.get(special).asInt()).put("content", special).put("special", true);
        }
        addMetaspacePipeline(json);
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(json));
    }

    /**
     * The normalizer and decoder of a SentencePiece-style {@code tokenizer.json} (Mistral's, Llama 2's): "▁" put
     * before the text and for every space, and taken out again when decoding; no pre-tokenizer, no post-processor.
     */
    static void addMetaspacePipeline(ObjectNode json) {
        ArrayNode normalizers = json.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
        normalizers.addObject().put("type", "Replace").put("content", "\u2581").putObject("pattern").put("String", " ");
        json.putNull("pre_tokenizer");
        json.putNull("post_processor");
        ArrayNode decoders = json.putObject("decoder").put("type", "Sequence").putArray("decoders");
        decoders.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", "\u2581");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    }
}
