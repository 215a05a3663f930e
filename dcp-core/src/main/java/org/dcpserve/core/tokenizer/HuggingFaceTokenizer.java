package org.dcpserve.core.tokenizer;

import com.knuddels.jtokkit.api.IntArrayList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face tokenizer read from a model's {@code tokenizer.json} (and {@code tokenizer_config.json}),
 * encoding and decoding as Hugging Face's {@code tokenizers} library does, in plain Java: the byte-level
 * BPE of Llama 3, Qwen2/3 and SmolLM2, and the SentencePiece-style BPE with byte fallback of Llama 2,
 * Mistral, TinyLlama and Gemma. {@link #load} names the components it supports and refuses any other.
 *
 * <p>Encoding runs the file's pipeline: the added tokens are found in the raw text; the text between them
 * is normalized, pre-tokenized into pieces, and each piece is encoded by the BPE model. Two choices differ
 * from a plain {@code tokenizer.encode(text)} of the Python library, on purpose:
 * <ul>
 *   <li>Special tokens ({@code "special": true}: {@code <|begin_of_text|>}, {@code <|im_end|>}, {@code <s>})
 *       typed in the text are ordinary text, as {@code split_special_tokens=True} makes them, so user input
 *       can never inject an end of turn or of text (the project's other tokenizers do the same). Only the text a
 *       chat template wrote is encoded with them parsed ({@link #encodeWithSpecialTokens}). Added
 *       tokens that are not special (Qwen's {@code <think>}) are vocabulary, found in the text as usual.
 *   <li>No BOS: {@link #encode} gives the text's tokens only, and {@link #bosId()} names the token the
 *       model expects in front (the post-processor's template, or {@code add_bos_token}).
 * </ul>
 * Decoding concatenates the bytes each token stands for ({@link TokenBytes}; special tokens stand for
 * nothing, as {@code skip_special_tokens=True}), reads them as UTF-8 (malformed or unfinished characters
 * become U+FFFD) and strips the leading space a {@code Strip} decoder names (SentencePiece's dummy prefix).
 * {@code clean_up_tokenization_spaces} is not applied: it is lossy, and its rewrites (" ," to ",") would
 * differ between a whole text and the same text decoded in streamed pieces.
 *
 * <p>Immutable and thread-safe; the only mutable state is the model's word cache, which cannot change a result.
 */
public final class HuggingFaceTokenizer implements Tokenizer {

    /** The file of the pipeline, vocabulary and merges. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The file that names the BOS and EOS tokens and whether BOS is added; optional. */
    public static final String CONFIG_FILE = "tokenizer_config.json";

    private final AddedTokens addedTokens;
    /** The added tokens and the special ones: what a rendered chat template's text is split on. */
    private final AddedTokens withSpecialTokens;
    private final TextNormalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final HuggingFaceBpe model;
    /** The bytes of every id (empty for a special token), or null for an id that is no token. */
    private final byte[][] pieces;
    /** The content of every added token (shown as such in traces), else null. */
    private final String[] addedContents;
    /** The character a {@code Strip} decoder removes from the start of decoded text, and at most how many. */
    private final char stripped;
    private final int strippedCount;
    private final Integer bosId;
    private final Integer eosId;
    private final int maxTokenChars;

    HuggingFaceTokenizer(AddedTokens addedTokens, AddedTokens withSpecialTokens, TextNormalizer normalizer,
                         PreTokenizer preTokenizer, HuggingFaceBpe model, byte[][] pieces, String[] addedContents,
                         char stripped, int strippedCount, Integer bosId, Integer eosId) {
        this.addedTokens = addedTokens;
        this.withSpecialTokens = withSpecialTokens;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.pieces = pieces;
        this.addedContents = addedContents;
        this.stripped = stripped;
        this.strippedCount = strippedCount;
        this.bosId = bosId;
        this.eosId = eosId;
        int longest = 1;
        for (int id = 0; id < pieces.length; id++) {
            longest = Math.max(longest, pieces[id] == null ? 0 : pieces[id].length);
            longest = Math.max(longest, addedContents[id] == null ? 0 : addedContents[id].length());
        }
        this.maxTokenChars = longest;
    }

    /**
     * The tokenizer of the model in {@code modelDir}: its {@value #TOKENIZER_FILE} and, when there is
     * one, its {@value #CONFIG_FILE}. A file that is not valid, or that uses a component or option this
     * class does not implement, fails with a one-line {@link IOException} naming the file and the
     * component.
     */
    public static HuggingFaceTokenizer load(Path modelDir) throws IOException {
        return TokenizerJson.read(modelDir.resolve(TOKENIZER_FILE), modelDir.resolve(CONFIG_FILE));
    }

    /** The token the model expects before the text (Llama's {@code <s>}, Gemma's {@code <bos>}), or null for none (Qwen). */
    public Integer bosId() {
        return bosId;
    }

    /** The end-of-text token that {@value #CONFIG_FILE} names ({@code eos_token}), or null when it names none. */
    public Integer eosId() {
        return eosId;
    }

    /** The text's token ids, without BOS; special tokens typed in the text are ordinary text (see the class comment). */
    @Override
    public int[] encode(String text) {
        return encode(text, addedTokens);
    }

    /**
     * The ids of text that a chat template wrote, as Hugging Face's {@code apply_chat_template} encodes it
     * ({@code add_special_tokens=False}): the special tokens in it ({@code <|im_start|>}, {@code <|begin_of_text|>})
     * are those tokens, and no BOS is added (a template that wants one writes {@code bos_token}). Never for text a
     * client typed: {@link #encode} keeps special tokens as text.
     */
    public int[] encodeWithSpecialTokens(String text) {
        return encode(text, withSpecialTokens);
    }

    private int[] encode(String text, AddedTokens tokens) {
        IntArrayList out = new IntArrayList(Math.max(16, text.length() / 3));
        tokens.split(text, new AddedTokens.Sections() {
            @Override
            public void text(String section, boolean first) {
                encodeSection(section, first, out);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    private void encodeSection(String section, boolean first, IntArrayList out) {
        String normalized = normalizer.normalize(section);
        if (normalized.isEmpty()) {
            return;
        }
        List<String> words = new ArrayList<>();
        preTokenizer.split(normalized, first, words);
        for (String word : words) {
            if (!word.isEmpty()) {
                model.encode(word, out);
            }
        }
    }

    @Override
    public String decode(int[] ids) {
        var bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            checkId(id);
            bytes.writeBytes(pieces[id]);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        int start = 0;
        while (start < strippedCount && start < text.length() && text.charAt(start) == stripped) {
            start++;
        }
        return text.substring(start);
    }

    /** An added or special token's content; else the token's text, or {@code <0xNN>} per byte when it is not complete UTF-8. */
    @Override
    public String tokenText(int id) {
        checkId(id);
        return addedContents[id] != null ? addedContents[id] : TokenTexts.readable(pieces[id]);
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    /** The longest token in bytes (or an added token's content in characters), which bounds the characters a token covers. */
    @Override
    public int maxTokenChars() {
        return maxTokenChars;
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length || pieces[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is no token of this tokenizer (vocabulary size " + pieces.length + ")");
        }
    }
}
