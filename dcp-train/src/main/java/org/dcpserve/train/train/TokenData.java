package org.dcpserve.train.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.dcpserve.train.ProgressBars;

/**
 * A training corpus as one long token stream, and the random windows cut from it.
 *
 * <p>The text file holds stories separated by lines that contain only {@code <|endoftext|>}. Each
 * story is tokenized on its own; with a BOS id (llama2.c) it is put before every story, as llama2.c
 * pretokenizes TinyStories; without one (GPT-2) the EOS id ({@code <|endoftext|>}) is put after
 * every story, as GPT-2 separates documents. The stories are then concatenated.
 *
 * <p>Windows are a pure function of (seed, step, micro-batch, row), so the data "cursor" needs no
 * state: a resumed run sees exactly the windows the uninterrupted run would have seen.
 */
public final class TokenData {

    public static final String SEPARATOR = "<|endoftext|>";

    private final int[] tokens;
    private final int stories;

    public TokenData(int[] tokens, int stories) {
        this.tokens = tokens;
        this.stories = stories;
    }

    /**
     * Tokenizes a training file, with a progress bar over its stories on stderr when {@code progress}.
     * A file of more than one line without a single separator line is almost always a mistake (the
     * whole corpus becomes one story), so it is warned about on stderr.
     */
    public static TokenData load(Path file, Tokenizer tokenizer, ModelConfig.TokenizerSpec spec, boolean progress)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("training data not found: " + file.toAbsolutePath().normalize());
        }
        String text = Files.readString(file);
        List<String> stories = stories(text);
        if (stories.isEmpty()) {
            throw new IOException("training data " + file + " holds no text");
        }
        if (stories.size() == 1 && text.strip().contains("\n")) {
            System.err.println("dcp-train: warning: " + file + " has no line holding only " + SEPARATOR
                    + ", so all of it is one story; separate documents with such lines");
        }
        int[][] encoded = new int[stories.size()][];
        long total = 0;
        try (ProgressBar bar = progress ? ProgressBars.of("tokenize " + file.getFileName(), stories.size(), "stories") : null) {
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = withSeparator(tokenizer.encode(stories.get(i)), spec);
                total += encoded[i].length;
                if (bar != null) {
                    bar.step();
                }
            }
        }
        int[] all = new int[Math.toIntExact(total)];
        int at = 0;
        for (int[] story : encoded) {
            System.arraycopy(story, 0, all, at, story.length);
            at += story.length;
        }
        return new TokenData(all, stories.size());
    }

    /** A story's ids with BOS before them, or, for a tokenizer without BOS, EOS after them. */
    private static int[] withSeparator(int[] ids, ModelConfig.TokenizerSpec spec) {
        int[] story = new int[ids.length + 1];
        if (spec.bosId() != null) {
            story[0] = spec.bosId();
            System.arraycopy(ids, 0, story, 1, ids.length);
        } else {
            System.arraycopy(ids, 0, story, 0, ids.length);
            story[ids.length] = spec.eosId();
        }
        return story;
    }

    /** The stories of a text: split at lines holding only the separator, trimmed, blank ones dropped. */
    public static List<String> stories(String text) {
        List<String> stories = new ArrayList<>();
        StringBuilder story = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.strip().equals(SEPARATOR)) {
                add(stories, story);
                story.setLength(0);
            } else {
                story.append(line).append('\n');
            }
        }
        add(stories, story);
        return stories;
    }

    private static void add(List<String> stories, StringBuilder story) {
        String text = story.toString().strip();
        if (!text.isEmpty()) {
            stories.add(text);
        }
    }

    public int size() {
        return tokens.length;
    }

    public int stories() {
        return stories;
    }

    public int[] tokens() {
        return tokens.clone();
    }

    /**
     * One micro-batch: {@code rows} windows of {@code context + 1} consecutive tokens at seeded random
     * offsets; inputs are the first {@code context}, targets the last {@code context} of each.
     */
    public Batch batch(long seed, long step, int micro, int rows, int context) {
        int span = tokens.length - context;           // window starts 0 .. span - 1
        if (span < 1) {
            throw new IllegalArgumentException("the training data has " + tokens.length
                    + " tokens, fewer than context + 1 = " + (context + 1));
        }
        long[] inputs = new long[rows * context];
        long[] targets = new long[rows * context];
        for (int row = 0; row < rows; row++) {
            int start = (int) Math.floorMod(mix(seed, step, micro, row), (long) span);
            for (int i = 0; i < context; i++) {
                inputs[row * context + i] = tokens[start + i];
                targets[row * context + i] = tokens[start + i + 1];
            }
        }
        return new Batch(inputs, targets, rows, context);
    }

    /** SplitMix64 over the coordinates of a window: a stateless, well-spread random number. */
    static long mix(long seed, long step, long micro, long row) {
        long h = splitMix(seed);
        h = splitMix(h ^ step);
        h = splitMix(h ^ micro);
        return splitMix(h ^ row);
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @param inputs [rows * context] @param targets [rows * context], inputs shifted by one */
    public record Batch(long[] inputs, long[] targets, int rows, int context) {
    }
}
