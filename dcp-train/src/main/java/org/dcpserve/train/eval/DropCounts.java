package org.dcpserve.train.eval;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * What the gates drop, by token, over evaluated sequences: for each token id, how many (occurrence,
 * layer) pairs could have been dropped and how many were. The last token of a sequence never faces a
 * vote, so it is not counted.
 */
final class DropCounts {

    private final int layers;
    private final Map<Integer, long[]> counts = new HashMap<>();   // id -> {chances, drops}

    DropCounts(int layers) {
        this.layers = layers;
    }

    void add(int[] sequence, List<DropEvent> drops) {
        for (int t = 0; t + 1 < sequence.length; t++) {
            of(sequence[t])[0] += layers;
        }
        for (DropEvent drop : drops) {
            of(sequence[drop.position()])[1]++;
        }
    }

    private long[] of(int id) {
        return counts.computeIfAbsent(id, k -> new long[2]);
    }

    /** Markdown: the {@code top} most and least dropped tokens among those seen at least {@code minOccurrences} times. */
    String table(Tokenizer tokenizer, int top, int minOccurrences) {
        List<Map.Entry<Integer, long[]>> frequent = counts.entrySet().stream()
                .filter(e -> e.getValue()[0] / layers >= minOccurrences)
                .sorted(Comparator.<Map.Entry<Integer, long[]>>comparingDouble(e -> -rate(e.getValue()))
                        .thenComparing(Map.Entry::getKey))
                .toList();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "Tokens seen at least %d times; drop rate = drops / (occurrences x %d layers).%n%n", minOccurrences, layers));
        out.append("| most dropped | occurrences | drop rate | | least dropped | occurrences | drop rate |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < Math.min(top, frequent.size()); i++) {
            Map.Entry<Integer, long[]> most = frequent.get(i);
            Map.Entry<Integer, long[]> least = frequent.get(frequent.size() - 1 - i);
            out.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% | | %s | %d | %.1f%% |%n",
                    quoted(tokenizer, most.getKey()), most.getValue()[0] / layers, 100 * rate(most.getValue()),
                    quoted(tokenizer, least.getKey()), least.getValue()[0] / layers, 100 * rate(least.getValue())));
        }
        return out.toString();
    }

    private static double rate(long[] count) {
        return count[0] == 0 ? 0 : (double) count[1] / count[0];
    }

    private static String quoted(Tokenizer tokenizer, int id) {
        String text = tokenizer.tokenText(id).replace("\n", "\\n").replace("|", "\\|").replace("`", "'");
        return "`\"" + text + "\"`";
    }
}
