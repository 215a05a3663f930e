package org.dcpserve.core.tokenizer;

import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code BPE} model of a {@code tokenizer.json}: turns one pre-tokenized piece into token ids.
 * The piece starts as one symbol per code point (its vocabulary id; when it has none, the byte-fallback
 * tokens {@code <0xNN>} of its UTF-8 bytes, or else the unknown token, consecutive unknowns fused into
 * one when {@code fuse_unk}); then the adjacent pair of lowest merge rank is merged, leftmost first,
 * until none merges ({@link PairMerger}). With {@code ignore_merges} a piece that is itself in the
 * vocabulary is that one token, whatever the merges would make of it (Llama 3).
 */
final class HuggingFaceBpe {

    /** A merge: the tokens {@code left} and {@code right} make the token {@code left + right}. */
    record Merge(String left, String right) {
    }

    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    /** The id of each single BMP character that is a token, else -1: the first lookup of every symbol. */
    private final int[] charIds = new int[Character.MAX_VALUE + 1];
    /** The id of {@code <0xNN>} for each byte, or null without byte fallback. */
    private final int[] byteIds;
    private final int unknownId;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;
    private final WordCache cache = new WordCache();

    /**
     * @param unknownId the unknown token's id, or -1 when there is none: then a character without a
     *                  token (and no byte fallback) cannot be encoded
     */
    HuggingFaceBpe(Map<String, Integer> vocab, List<Merge> merges, boolean byteFallback, int unknownId,
                   boolean fuseUnknown, boolean ignoreMerges) {
        this.vocab = new HashMap<>(vocab); // not Map.copyOf: its linear probing crawls on 100,000s of similar strings
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        Arrays.fill(charIds, -1);
        vocab.forEach((token, id) -> {
            if (token.length() == 1) {
                charIds[token.charAt(0)] = id;
            }
        });
        byteIds = byteFallback ? byteFallbackIds(vocab) : null;
        int[] lefts = new int[merges.size()];
        int[] rights = new int[merges.size()];
        int[] merged = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge merge = merges.get(rank);
            lefts[rank] = idOf(merge.left(), rank);
            rights[rank] = idOf(merge.right(), rank);
            merged[rank] = idOf(merge.left() + merge.right(), rank);
        }
        this.merges = new PairRanks(lefts, rights, merged);
    }

    private int idOf(String token, int mergeRank) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("merge " + mergeRank + ": token " + JsonFiles.quote(token) + " is not in the vocabulary");
        }
        return id;
    }

    private static int[] byteFallbackIds(Map<String, Integer> vocab) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(byteToken(b));
            if (id == null) {
                throw new IllegalArgumentException("byte_fallback is set but the vocabulary has no token " + byteToken(b));
            }
            ids[b] = id;
        }
        return ids;
    }

    /** The byte-fallback token of byte {@code b}: {@code <0x0A>} for the newline. */
    static String byteToken(int b) {
        return String.format("<0x%02X>", b);
    }

    /** Appends the tokens of {@code piece} to {@code out}. */
    void encode(String piece, IntArrayList out) {
        for (int id : cache.tokens(piece, this::encodeUncached)) {
            out.add(id);
        }
    }

    private int[] encodeUncached(String piece) {
        if (ignoreMerges) {
            Integer whole = vocab.get(piece);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        IntArrayList symbols = new IntArrayList(piece.length());
        boolean lastWasUnknown = false;
        for (int i = 0; i < piece.length(); ) {
            int codePoint = piece.codePointAt(i);
            int length = Character.charCount(codePoint);
            int id = length == 1 ? charIds[codePoint] : vocab.getOrDefault(piece.substring(i, i + length), -1);
            i += length;
            if (id >= 0) {
                symbols.add(id);
            } else if (byteIds != null) {
                for (byte b : Character.toString(codePoint).getBytes(StandardCharsets.UTF_8)) {
                    symbols.add(byteIds[b & 0xFF]);
                }
            } else if (unknownId >= 0) {
                if (!(fuseUnknown && lastWasUnknown)) {
                    symbols.add(unknownId);
                }
                lastWasUnknown = true;
                continue;
            } else {
                throw new IllegalArgumentException("cannot encode U+" + Integer.toHexString(codePoint).toUpperCase()
                        + ": no token for it, no byte fallback and no unknown token");
            }
            lastWasUnknown = false;
        }
        return PairMerger.merge(symbols.toArray(), merges);
    }
}
