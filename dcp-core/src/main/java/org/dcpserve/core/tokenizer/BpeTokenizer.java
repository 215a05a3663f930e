package org.dcpserve.core.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Our own byte-level BPE (trained by {@link BpeTrainer}), for models pretrained here: GPT-2's scheme
 * with a vocabulary small enough for small models. Every UTF-8 byte has a token, so any text encodes
 * losslessly; no unknown token is needed.
 *
 * <p>Ids: {@code 0} is {@code <|endoftext|>}, the only special token (models use it as both BOS and
 * EOS); {@code 1..256} are the single bytes {@code 0x00..0xFF} (id = byte + 1); from {@code 257} on,
 * merge {@code i} (rank {@code i}) joins a (left id, right id) pair into id {@code 257 + i}. The
 * vocabulary size is {@code 257 + merges}.
 *
 * <p>Encoding: the text is split into words as GPT-2 does (pre-tokeniser {@code gpt2-words}: GPT-2's
 * pattern {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, where
 * {@code \s} is Unicode White_Space plus U+001C..U+001F, matched left to right; merges never cross a
 * word boundary). Each word becomes its UTF-8 bytes exactly as
 * {@link String#getBytes(java.nio.charset.Charset) getBytes(UTF_8)} gives them (a lone surrogate
 * becomes {@code '?'}), and the merges are applied to each word lowest rank first, the leftmost
 * occurrence of a pair first. Text never encodes to id 0: a typed {@code <|endoftext|>} is ordinary
 * text, so user input cannot end a document. Decoding concatenates the bytes of all tokens (id 0 has
 * none) and turns malformed UTF-8 into U+FFFD.
 *
 * <h2>File format ({@code tokenizer.json})</h2>
 *
 * A UTF-8 JSON object with these members (others are ignored; none may appear twice):
 * <pre>{@code
 * {
 *   "format": "dcp-bpe",
 *   "version": 1,
 *   "pre_tokenizer": "gpt2-words",
 *   "special_tokens": ["<|endoftext|>"],
 *   "merges": [[33, 117], [257, 105], [105, 102], ...],
 *   "pieces": [" t", " th", "he", ...]
 * }
 * }</pre>
 * (In the example, 33, 117, 105 and 102 are the bytes {@code ' '}, {@code 't'}, {@code 'h'} and
 * {@code 'e'}; merge 0 makes id 257 {@code " t"}, which merge 1 extends to {@code " th"}.)
 * {@link #save} writes one merge and one piece per line.
 * <ul>
 *   <li>{@code format}, {@code version}, {@code pre_tokenizer}, {@code special_tokens}: exactly these
 *       values; they name the scheme above, so a later scheme can change them and an older reader
 *       refuses it instead of tokenizing differently.
 *   <li>{@code merges}: the merges in rank order; entry {@code i} is {@code [left, right]} and creates id
 *       {@code 257 + i}. Both ids must be tokens that already exist ({@code 1 <= id < 257 + i}) and no
 *       pair may be listed twice.
 *   <li>{@code pieces}: for people reading the file, the {@link #tokenText(int) text} of each merged
 *       token, entry {@code i} for id {@code 257 + i}; a token that is not complete UTF-8 on its own is
 *       written {@code <0xNN>} per byte. Optional when reading; when present it must match the merges,
 *       which catches a hand-edited file whose merges and pieces disagree.
 * </ul>
 * A file that breaks any of these rules fails to load with a one-line {@link IOException} naming the
 * file and the problem.
 *
 * <p>Immutable and thread-safe. The only mutable state is a bounded {@link WordCache} of word to
 * tokens, which cannot change any result.
 */
public final class BpeTokenizer implements Tokenizer {

    /** {@code <|endoftext|>}: separates documents in training data; BOS and EOS of our models. */
    public static final int END_OF_TEXT = 0;
    public static final String END_OF_TEXT_PIECE = "<|endoftext|>";
    /** The id of the first merge; ids below it are the special token and the 256 bytes. */
    public static final int FIRST_MERGE_ID = 257;

    private final int[] lefts;
    private final int[] rights;
    private final MergeTable ranks;
    /** The bytes of every id; empty for the special token. */
    private final byte[][] pieces;
    private final String[] texts;
    private final int maxPieceBytes;
    private final WordCache cache = new WordCache();

    /** Merge {@code i} joins {@code lefts[i]} and {@code rights[i]}; invalid merges are rejected. */
    BpeTokenizer(int[] lefts, int[] rights) {
        if (lefts.length != rights.length) {
            throw new IllegalArgumentException("merges need a left and a right id each");
        }
        this.lefts = lefts.clone();
        this.rights = rights.clone();
        int vocab = FIRST_MERGE_ID + lefts.length;
        pieces = new byte[vocab][];
        pieces[END_OF_TEXT] = new byte[0];
        for (int b = 0; b < 256; b++) {
            pieces[b + 1] = new byte[] {(byte) b};
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < lefts.length; i++) {
            int id = FIRST_MERGE_ID + i;
            int left = lefts[i];
            int right = rights[i];
            if (left < 1 || left >= id || right < 1 || right >= id) {
                throw new IllegalArgumentException("merge " + i + " [" + left + ", " + right + "] must join existing"
                        + " non-special tokens (ids 1.." + (id - 1) + ") into id " + id);
            }
            if (!seen.add(PairRanks.key(left, right))) {
                throw new IllegalArgumentException("merge " + i + " [" + left + ", " + right + "] repeats an earlier merge");
            }
            byte[] piece = Arrays.copyOf(pieces[left], pieces[left].length + pieces[right].length);
            System.arraycopy(pieces[right], 0, piece, pieces[left].length, pieces[right].length);
            pieces[id] = piece;
        }
        ranks = new PairRanks(this.lefts, this.rights, FIRST_MERGE_ID);
        texts = new String[vocab];
        int longest = 1;
        for (int id = 0; id < vocab; id++) {
            texts[id] = id == END_OF_TEXT ? END_OF_TEXT_PIECE : TokenTexts.readable(pieces[id]);
            longest = Math.max(longest, pieces[id].length);
        }
        maxPieceBytes = longest;
    }

    /** A tokenizer from merges in rank order, each {@code {left, right}}; see the class comment for the rules. */
    public static BpeTokenizer fromMerges(int[][] merges) {
        int[] lefts = new int[merges.length];
        int[] rights = new int[merges.length];
        for (int i = 0; i < merges.length; i++) {
            if (merges[i].length != 2) {
                throw new IllegalArgumentException("merge " + i + " has " + merges[i].length + " ids, not 2");
            }
            lefts[i] = merges[i][0];
            rights[i] = merges[i][1];
        }
        return new BpeTokenizer(lefts, rights);
    }

    /** Reads a {@code tokenizer.json} in the format of the class comment. */
    public static BpeTokenizer load(Path file) throws IOException {
        return BpeFile.read(file);
    }

    /** Writes this tokenizer as a {@code tokenizer.json} in the format of the class comment. */
    public void save(Path file) throws IOException {
        BpeFile.write(this, file);
    }

    /** The merges in rank order, each {@code {left, right}} (a copy). */
    public int[][] merges() {
        int[][] merges = new int[lefts.length][];
        for (int i = 0; i < lefts.length; i++) {
            merges[i] = new int[] {lefts[i], rights[i]};
        }
        return merges;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[Math.max(16, text.length() / 3)];
        int count = 0;
        for (int start = 0; start < text.length(); ) {
            int end = WordSplitter.wordEnd(text, start);
            int[] word = encodeWord(text.substring(start, end));
            if (count + word.length > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, count + word.length));
            }
            System.arraycopy(word, 0, out, count, word.length);
            count += word.length;
            start = end;
        }
        return Arrays.copyOf(out, count);
    }

    /** The tokens of one word; the returned array may be shared through the cache and must not be changed. */
    private int[] encodeWord(String word) {
        return cache.tokens(word, this::mergeWord);
    }

    private int[] mergeWord(String word) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = (bytes[i] & 0xFF) + 1;
        }
        return PairMerger.merge(symbols, ranks);
    }

    @Override
    public String decode(int[] ids) {
        int length = 0;
        for (int id : ids) {
            checkId(id);
            length += pieces[id].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] piece = pieces[id];
            System.arraycopy(piece, 0, bytes, at, piece.length);
            at += piece.length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code <|endoftext|>} for id 0, else the token's text, or {@code <0xNN>} per byte when it is not complete UTF-8. */
    @Override
    public String tokenText(int id) {
        checkId(id);
        return texts[id];
    }

    /** The longest token in bytes, which bounds the characters a token decodes to. */
    @Override
    public int maxTokenChars() {
        return maxPieceBytes;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the BPE vocabulary [0, " + pieces.length + ")");
        }
    }
}
