package org.dcpserve.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A small repetitive story corpus, single-line stories in printable ASCII (the character tokenizer's range). */
public final class TestCorpus {

    private static final String[] NAMES = {"Lily", "Tom", "Sue", "Max", "Ben", "Mia"};
    private static final String[] THINGS = {"ball", "cat", "dog", "kite", "cake", "tree"};
    private static final String[] PLACES = {"park", "house", "garden", "school", "beach"};

    private TestCorpus() {
    }

    public static Path write(Path file, int stories, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < stories; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            String thing = THINGS[random.nextInt(THINGS.length)];
            String place = PLACES[random.nextInt(PLACES.length)];
            lines.add("Once upon a time, " + name + " had a red " + thing + ". " + name + " took the " + thing
                    + " to the " + place + ". The " + thing + " was happy in the " + place + ". The end.");
            lines.add("<|endoftext|>");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, lines);
    }
}
