package org.dcpserve.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The SentencePiece-style BPE tokenizer of llama2.c, read from its {@code tokenizer.bin} format and
 * encoding/decoding exactly as llama2.c's {@code run.c} does, so a model trained with that
 * tokenizer sees the same ids here.
 *
 * <p>File format (little-endian): {@code int32 max_token_length}, then per token {@code float32 score,
 * int32 length, length bytes}. The file holds no token count: llama2.c takes it from the checkpoint,
 * so here the tokens simply run to the end of the file. Ids 1 and 2 are BOS and EOS, and ids 3..258 are
 * the byte-fallback pieces {@code <0x00>..<0xFF>}.
 *
 * <p>Immutable and thread-safe: all state is built in the constructor and never changed.
 */
public final class Llama2cTokenizer implements Tokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;
    /** Byte {@code b} without a piece of its own is encoded as id {@code b + BYTE_OFFSET}. */
    private static final int BYTE_OFFSET = 3;

    private final byte[][] pieces;
    /** Raw byte of each {@code <0xNN>} piece, or -1: decode emits such pieces as that single byte. */
    private final int[] rawBytes;
    /**
     * Piece to id. Keys are the piece bytes as ISO-8859-1 strings, which maps bytes to chars one to
     * one: lookups are byte-exact, and concatenating two keys gives the key of the merged piece.
     */
    private final Map<String, Integer> ids;
    /** The longest piece in bytes, which bounds the characters any token covers. */
    private final int maxPieceBytes;
    /** llama2.c's merge order: the highest-scoring merged piece first, so its priority is its score's rank. */
    private final MergeTable mergeTable;

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this.pieces = pieces;
        this.rawBytes = new int[pieces.length];
        this.ids = new HashMap<>(pieces.length * 2);
        for (int id = pieces.length - 1; id >= 0; id--) {
            // Going backwards keeps the lowest id when a piece is listed twice.
            ids.put(key(pieces[id]), id);
            rawBytes[id] = TokenTexts.byteFallbackValue(key(pieces[id]));
        }
        this.maxPieceBytes = java.util.Arrays.stream(pieces).mapToInt(piece -> piece.length).max().orElse(1);
        int[] scoreRanks = scoreRanks(scores);
        this.mergeTable = (left, right) -> {
            Integer merged = ids.get(key(pieces[left]) + key(pieces[right]));
            return merged == null ? -1 : MergeTable.entry(scoreRanks[merged], merged);
        };
    }

    /** Dense ranks of the scores, highest first: equal scores share a rank, so ties go to the leftmost pair. */
    private static int[] scoreRanks(float[] scores) {
        double[] ascending = IntStream.range(0, scores.length).mapToDouble(id -> scores[id]).distinct().sorted().toArray();
        int[] ranks = new int[scores.length];
        for (int id = 0; id < scores.length; id++) {
            ranks[id] = ascending.length - 1 - Arrays.binarySearch(ascending, scores[id]);
        }
        return ranks;
    }

    /** Reads a llama2.c {@code tokenizer.bin}; a truncated or corrupt file fails with a one-line message. */
    public static Llama2cTokenizer load(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < Integer.BYTES) {
            throw new IOException("tokenizer " + file + ": too short for the max_token_length header ("
                    + buf.remaining() + " bytes)");
        }
        buf.getInt(); // max_token_length only sizes llama2.c's C buffers; nothing to do with it here
        List<byte[]> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (buf.hasRemaining()) {
            int id = pieces.size();
            try {
                float score = buf.getFloat();
                int length = buf.getInt();
                if (length < 0) {
                    throw new IOException("tokenizer " + file + ": token " + id + " has negative length " + length);
                }
                byte[] piece = new byte[length];
                buf.get(piece);
                pieces.add(piece);
                scores.add(score);
            } catch (BufferUnderflowException e) {
                throw new IOException("tokenizer " + file + ": token " + id + " is truncated at end of file");
            }
        }
        if (pieces.size() <= EOS) {
            throw new IOException("tokenizer " + file + ": has " + pieces.size() + " tokens, needs at least BOS and EOS");
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        return new Llama2cTokenizer(pieces.toArray(byte[][]::new), scoreArray);
    }

    /**
     * Encodes as llama2.c does, without BOS: a dummy-prefix {@code " "} symbol, then one symbol per
     * code point (its piece, or one byte-fallback id per UTF-8 byte), then repeatedly the adjacent
     * pair whose merged piece scores highest is merged (leftmost on ties) until no pair merges;
     * {@link PairMerger} does that in O(n log n) rather than llama2.c's O(n²) rescans.
     */
    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        List<Integer> symbols = new ArrayList<>();
        appendCodePoint(' ', symbols); // the dummy prefix: SentencePiece treats text as starting a word
        text.codePoints().forEach(cp -> appendCodePoint(cp, symbols));
        return PairMerger.merge(symbols.stream().mapToInt(Integer::intValue).toArray(), mergeTable);
    }

    private void appendCodePoint(int codePoint, List<Integer> symbols) {
        // A lone surrogate (not valid Unicode) is encoded by the JDK as '?', like String.getBytes does.
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        Integer id = ids.get(key(utf8));
        if (id != null) {
            symbols.add(id);
            return;
        }
        for (byte b : utf8) {
            int fallback = (b & 0xFF) + BYTE_OFFSET;
            if (fallback >= pieces.length) {
                throw new IllegalArgumentException("cannot encode U+" + Integer.toHexString(codePoint).toUpperCase()
                        + ": no piece for it and the vocabulary has no byte fallback");
            }
            symbols.add(fallback);
        }
    }

    /**
     * Decodes as llama2.c does: BOS and EOS produce no text, the piece right after BOS loses its
     * leading (dummy-prefix) space, and {@code <0xNN>} pieces become raw bytes. Without a leading BOS
     * the first space is kept, so decodes of consecutive chunks of a generation concatenate correctly.
     */
    @Override
    public String decode(int[] tokenIds) {
        var bytes = new ByteArrayOutputStream();
        int previous = -1;
        for (int id : tokenIds) {
            checkId(id);
            if (id != BOS && id != EOS) {
                if (rawBytes[id] >= 0) {
                    bytes.write(rawBytes[id]);
                } else {
                    byte[] piece = pieces[id];
                    int skip = previous == BOS && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
                    bytes.write(piece, skip, piece.length - skip);
                }
            }
            previous = id;
        }
        // new String(..., UTF_8) replaces malformed or truncated sequences with U+FFFD
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return switch (id) {
            case BOS -> "<s>"; // stored as "\n<s>\n" in the file
            case EOS -> "</s>";
            // A byte-fallback piece <0xNN> shows as the character its byte makes (a newline, not "<0x0A>");
            // a byte that is only part of a character stays <0xNN>.
            default -> rawBytes[id] >= 0 ? TokenTexts.readable(new byte[] {(byte) rawBytes[id]})
                    : new String(pieces[id], StandardCharsets.UTF_8);
        };
    }

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
            throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + pieces.length);
        }
    }

    private static String key(byte[] piece) {
        return new String(piece, StandardCharsets.ISO_8859_1);
    }
}
