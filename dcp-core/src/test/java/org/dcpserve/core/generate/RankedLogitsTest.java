package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankedLogitsTest {

    /** Few distinct values, so ties are common; both zeros, infinities and large magnitudes of either sign. */
    private static float[] tiedRow(SplittableRandom random, int vocab) {
        float[] values = {0f, -0f, 1.5f, -1.5f, 3e38f, -3e38f, Float.NEGATIVE_INFINITY, 1e-40f};
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = random.nextBoolean() ? values[random.nextInt(values.length)] : (float) random.nextGaussian();
        }
        return logits;
    }

    private static int[] stableSortByDescendingLogit(float[] logits) {
        Integer[] ids = new Integer[logits.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, (a, b) -> Float.compare(logits[b], logits[a]));
        return Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void ranksComeInTheOrderOfAStableSortByDescendingLogitHoweverDeepTheyAreAskedFor() {
        SplittableRandom random = new SplittableRandom(7);
        RankedLogits ranked = new RankedLogits();
        for (int round = 0; round < 300; round++) {
            float[] logits = tiedRow(random, 1 + random.nextInt(3000));
            int[] expected = stableSortByDescendingLogit(logits);
            int limit = random.nextBoolean() ? logits.length : 1 + random.nextInt(logits.length);
            ranked.reset(logits, limit);
            // Ask deep first half the time, so a ranking grows from nothing straight to the end too.
            if (random.nextBoolean()) {
                assertThat(ranked.id(limit - 1)).isEqualTo(expected[limit - 1]);
            }
            int[] got = new int[limit];
            for (int rank = 0; rank < limit; rank++) {
                got[rank] = ranked.id(rank);
            }
            assertThat(got).containsExactly(Arrays.copyOf(expected, limit));
        }
    }

    @Test
    void theReferenceSortsInTheSameOrder() {
        SplittableRandom random = new SplittableRandom(8);
        for (int round = 0; round < 200; round++) {
            float[] logits = tiedRow(random, 1 + random.nextInt(600));
            assertThat(SortingSampler.byDescendingLogit(logits)).containsExactly(stableSortByDescendingLogit(logits));
        }
    }

    @Test
    void anAscendingRowWhereEveryLogitBeatsTheBarStillRanksRight() {
        float[] logits = new float[10_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = i;
        }
        RankedLogits ranked = new RankedLogits();
        ranked.reset(logits, logits.length);
        for (int rank = 0; rank < 700; rank++) {
            assertThat(ranked.id(rank)).isEqualTo(logits.length - 1 - rank);
        }
    }
}
