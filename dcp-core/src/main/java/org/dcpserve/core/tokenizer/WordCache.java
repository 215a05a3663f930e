package org.dcpserve.core.tokenizer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The tokens of recently seen words, so a BPE encoder merges each common word once: text repeats its
 * words, and merging is most of the cost of encoding. Bounded, and safe to share between threads; a
 * cached result is the one the encoder would compute, so the cache can never change a result.
 */
final class WordCache {

    /** Words longer than this (rare, often junk) are encoded every time rather than cached. */
    private static final int MAX_CACHED_WORD_CHARS = 64;
    /** The cache is emptied when it grows past this many words, bounding its memory (~10 MB). */
    private static final int MAX_CACHED_WORDS = 100_000;

    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /** The tokens of {@code word}, from the cache or else from {@code encoder}; the array is shared and must not be changed. */
    int[] tokens(String word, Function<String, int[]> encoder) {
        if (word.length() > MAX_CACHED_WORD_CHARS) {
            return encoder.apply(word);
        }
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] tokens = encoder.apply(word);
        if (cache.size() >= MAX_CACHED_WORDS) {
            cache.clear(); // crude but enough: the common words are back in the cache within a few KB of text
        }
        cache.put(word, tokens);
        return tokens;
    }
}
