package org.dcpserve.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * Learns a {@link BpeTokenizer} from text. The texts are split into words as the tokenizer splits
 * them and each distinct word is kept once with its frequency; then, until the vocabulary is full,
 * the most frequent adjacent pair of tokens (summed over all words, weighted by frequency) becomes the
 * next merge. Training stops early when no pair occurs at least twice.
 *
 * <p>Fast enough for megabytes of text because a merge never rescans the corpus: the pair counts and,
 * per pair, the words it occurs in are kept up to date, so a merge only rewrites the words that contain
 * its pair and only adjusts the counts of the pairs next to each occurrence. The best pair comes from a
 * heap whose outdated entries are skipped when popped.
 *
 * <p>Deterministic: ties go to the smallest left id, then the smallest right id, so the same texts
 * always give the same merges, whatever the order of hash maps or of the texts' words.
 */
public final class BpeTrainer {

    /** The smallest vocabulary: the special token, the 256 bytes and one merge. */
    public static final int MIN_VOCAB_SIZE = BpeTokenizer.FIRST_MERGE_ID + 1;
    /** The largest vocabulary, so that ids fit in an unsigned 16-bit integer. */
    public static final int MAX_VOCAB_SIZE = 65536;

    private static final Comparator<Candidate> BEST_FIRST = Comparator.comparingLong(Candidate::count).reversed()
            .thenComparingInt(Candidate::left)
            .thenComparingInt(Candidate::right);

    // The words, each kept once: its current tokens (the first lengths[w] entries) and how often it occurs.
    private final int[][] symbols;
    private final int[] lengths;
    private final long[] frequencies;
    private final Map<Long, Pair> pairs = new HashMap<>();
    private final PriorityQueue<Candidate> heap = new PriorityQueue<>(BEST_FIRST);
    /** The merge that last visited each word, so a word listed twice under a pair is rewritten once. */
    private final int[] visited;
    /** The pairs whose counts changed during the current merge, to queue again once it is done. */
    private final List<Pair> touched = new ArrayList<>();

    private BpeTrainer(Map<String, long[]> wordCounts) {
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.forEach((word, count) -> {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 1) { // a single byte has no pair to merge
                int[] ids = new int[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    ids[i] = (bytes[i] & 0xFF) + 1;
                }
                words.add(ids);
                counts.add(count[0]);
            }
        });
        symbols = words.toArray(int[][]::new);
        lengths = new int[symbols.length];
        frequencies = new long[symbols.length];
        visited = new int[symbols.length];
        Arrays.fill(visited, -1);
        for (int w = 0; w < symbols.length; w++) {
            lengths[w] = symbols[w].length;
            frequencies[w] = counts.get(w);
            for (int i = 0; i + 1 < lengths[w]; i++) {
                add(symbols[w][i], symbols[w][i + 1], frequencies[w], w);
            }
        }
        offerTouched();
    }

    /** Trains a tokenizer of at most {@code vocabSize} tokens on {@code texts}. */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize) {
        return train(texts, vocabSize, merges -> { });
    }

    /**
     * Trains a tokenizer of at most {@code vocabSize} tokens on {@code texts}, telling {@code progress}
     * the number of merges learnt after each one. Words never span two texts.
     */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize, IntConsumer progress) {
        if (vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
            throw new IllegalArgumentException("BPE vocabulary size must be between " + MIN_VOCAB_SIZE + " and "
                    + MAX_VOCAB_SIZE + ", got " + vocabSize);
        }
        Map<String, long[]> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (int start = 0; start < text.length(); ) {
                int end = WordSplitter.wordEnd(text, start);
                wordCounts.computeIfAbsent(text.substring(start, end), word -> new long[1])[0]++;
                start = end;
            }
        }
        return new BpeTrainer(wordCounts).learn(vocabSize - BpeTokenizer.FIRST_MERGE_ID, progress);
    }

    private BpeTokenizer learn(int maxMerges, IntConsumer progress) {
        int[] lefts = new int[maxMerges];
        int[] rights = new int[maxMerges];
        int merges = 0;
        while (merges < maxMerges) {
            Pair best = pollBest();
            if (best == null) {
                break;
            }
            lefts[merges] = best.left;
            rights[merges] = best.right;
            apply(best, BpeTokenizer.FIRST_MERGE_ID + merges, merges);
            merges++;
            progress.accept(merges);
        }
        return new BpeTokenizer(Arrays.copyOf(lefts, merges), Arrays.copyOf(rights, merges));
    }

    /** The most frequent pair that occurs at least twice, or null. */
    private Pair pollBest() {
        while (!heap.isEmpty()) {
            Candidate candidate = heap.poll();
            Pair pair = pairs.get(PairRanks.key(candidate.left(), candidate.right()));
            if (pair != null && pair.count == candidate.count()) {
                return pair;
            }
            // outdated: the pair's count changed since, and a newer entry (if it still qualifies) is queued
        }
        return null;
    }

    /** Replaces every occurrence of {@code pair} by {@code id}, updating the counts of the pairs around them. */
    private void apply(Pair pair, int id, int merge) {
        pairs.remove(PairRanks.key(pair.left, pair.right));
        for (int k = 0; k < pair.wordCount; k++) {
            int w = pair.words[k];
            if (visited[w] != merge) {
                visited[w] = merge;
                rewrite(w, pair.left, pair.right, id);
            }
        }
        offerTouched();
    }

    /** Queues the pairs whose counts changed since the last call with their new counts, if still candidates. */
    private void offerTouched() {
        for (Pair pair : touched) {
            pair.touched = false;
            if (pair.count >= 2 && pairs.get(PairRanks.key(pair.left, pair.right)) == pair) {
                heap.add(new Candidate(pair.count, pair.left, pair.right));
            }
        }
        touched.clear();
    }

    /**
     * Merges the occurrences of (a, b) in word {@code w}, left to right and not overlapping. The pairs
     * that vanish are the ones at, before and after each occurrence (each counted once even when two
     * occurrences are adjacent); the pairs that appear are the ones on either side of each new token.
     */
    private void rewrite(int w, int a, int b, int id) {
        int[] s = symbols[w];
        int length = lengths[w];
        long frequency = frequencies[w];
        int lastRemoved = -1; // old pair positions (pair j = s[j], s[j + 1]) already subtracted
        boolean found = false;
        for (int i = 0; i + 1 < length; ) {
            if (s[i] == a && s[i + 1] == b) {
                found = true;
                for (int j = Math.max(i - 1, lastRemoved + 1); j <= i + 1 && j + 1 < length; j++) {
                    add(s[j], s[j + 1], -frequency, w);
                    lastRemoved = j;
                }
                i += 2;
            } else {
                i++;
            }
        }
        if (!found) {
            return; // the word was listed under the pair, but an earlier merge already took the pair apart
        }
        int out = 0;
        for (int i = 0; i < length; ) {
            if (i + 1 < length && s[i] == a && s[i + 1] == b) {
                s[out++] = id;
                i += 2;
            } else {
                s[out++] = s[i++];
            }
        }
        lengths[w] = out;
        int lastAdded = -1;
        for (int k = 0; k < out; k++) {
            if (s[k] == id) { // the id is new, so every occurrence of it was made by this merge
                for (int j = Math.max(k - 1, lastAdded + 1); j <= k && j + 1 < out; j++) {
                    add(s[j], s[j + 1], frequency, w);
                    lastAdded = j;
                }
            }
        }
    }

    /** Adds {@code delta} occurrences of (left, right), found in word {@code w}. */
    private void add(int left, int right, long delta, int w) {
        long key = PairRanks.key(left, right);
        Pair pair = pairs.get(key);
        if (pair == null) {
            if (delta <= 0) {
                return; // only the merged pair itself, already removed, can be missing here
            }
            pair = new Pair(left, right);
            pairs.put(key, pair);
        }
        pair.count += delta;
        if (pair.count <= 0) {
            pairs.remove(key);
            return;
        }
        if (delta > 0) {
            pair.addWord(w);
        }
        if (!pair.touched) {
            pair.touched = true;
            touched.add(pair);
        }
    }

    /** A heap entry: a pair and its count when queued; outdated once the pair's count has changed. */
    private record Candidate(long count, int left, int right) {
    }

    /** An adjacent pair of tokens: how often it occurs and in which words (possibly listed more than once). */
    private static final class Pair {
        final int left;
        final int right;
        long count;
        int[] words = new int[4];
        int wordCount;
        /** True while listed in {@link BpeTrainer#touched}. */
        boolean touched;

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }

        void addWord(int w) {
            if (wordCount > 0 && words[wordCount - 1] == w) {
                return; // the same word again in a row (e.g. its pairs are being counted): listed once
            }
            if (wordCount == words.length) {
                words = Arrays.copyOf(words, wordCount * 2);
            }
            words[wordCount++] = w;
        }
    }
}
