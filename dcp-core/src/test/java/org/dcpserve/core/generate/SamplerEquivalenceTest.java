package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sampler picks what the sort-based reference ({@link SortingSampler}, the sampler before partial selection)
 * picks, for the same seed: same candidates, same order, same draw. Steps run in sequence, so the penalties'
 * counts evolve in both.
 */
class SamplerEquivalenceTest {

    private static SamplingParams params(float temperature, int topK, float topP, float typicalP) {
        return new SamplingParams(temperature, topK, topP, 0L, 1f, 0f, 0f, typicalP);
    }

    private static SamplingParams penalized(float temperature, int topK, float topP, float typicalP, float repetition,
                                            float frequency, float presence) {
        return new SamplingParams(temperature, topK, topP, 0L, repetition, frequency, presence, typicalP);
    }

    private static SamplingParams withSeed(SamplingParams p, long seed) {
        return new SamplingParams(p.temperature(), p.topK(), p.topP(), seed, p.repetitionPenalty(),
                p.frequencyPenalty(), p.presencePenalty(), p.typicalP());
    }

    /** The parameter sets at the real vocabulary: every restriction alone, the usual mixes, the corners. */
    private static List<SamplingParams> realVocabularySets() {
        return List.of(
                params(0f, 0, 1f, 1f),                                   // greedy
                penalized(0f, 0, 1f, 1f, 1.3f, 0.5f, 0.4f),              // greedy, penalties steer it
                params(0.7f, 0, 0.9f, 1f),
                params(0.7f, 0, 1f, 1f),                                 // top_p = 1: the whole vocabulary
                params(1f, 0, 1f, 1f),
                params(1.5f, 0, 0.95f, 1f),
                params(0.3f, 0, 0.5f, 1f),
                params(1e-3f, 0, 1f, 1f),                                // tiny temperature: near greedy, no overflow
                params(1f, 1, 1f, 1f),
                params(0.8f, 5, 1f, 1f),
                params(0.7f, 50, 0.9f, 1f),
                params(1f, 1000, 1f, 1f),
                params(0.9f, 200_000, 0.9f, 1f),                         // top_k beyond the vocabulary
                params(1f, 200_000, 1f, 1f),
                params(1f, 0, 1f, 0.9f),                                 // typical alone: over the whole vocabulary
                params(0.7f, 0, 1f, 0.2f),
                params(1f, 0, 0.9f, 0.95f),
                params(0.8f, 50, 1f, 0.5f),
                penalized(0.7f, 0, 0.9f, 1f, 1.2f, 0f, 0f),
                penalized(1f, 0, 1f, 1f, 1f, 0.5f, 0.3f),
                penalized(1f, 0, 1f, 0.9f, 1.1f, 0.4f, 0.2f),
                penalized(0.9f, 40, 1f, 1f, 0.8f, -0.5f, 1f));           // penalties that favour repeats
    }

    @Test
    void picksAsTheSortingReferenceAtQwensVocabularyForEveryParameterSetAndSeed() {
        SplittableRandom random = new SplittableRandom(2026);
        List<float[]> rows = new ArrayList<>();
        for (LogitRows kind : LogitRows.values()) {
            rows.add(kind.make(random, LogitRows.QWEN_VOCAB));
            rows.add(kind.make(random, LogitRows.QWEN_VOCAB));
        }
        int[] prompt = random.ints(300, 0, LogitRows.QWEN_VOCAB).toArray();
        int steps = 0;
        for (SamplingParams set : realVocabularySets()) {
            for (long seed = 0; seed < 4; seed++) {
                SamplingParams p = withSeed(set, 1000 * seed + 17);
                // Each seed starts at another row and walks the kinds, so every set meets every kind.
                steps += assertSamePicks(p, prompt, rows, (int) seed, rows.size());
            }
        }
        assertThat(steps).isEqualTo(realVocabularySets().size() * 4 * rows.size());
    }

    @Test
    void picksAsTheSortingReferenceOnSmallRowsWithEveryCorner() {
        SplittableRandom random = new SplittableRandom(11);
        float[] temperatures = {0f, 1e-3f, 0.5f, 1f, 2f, 20f};
        float[] topPs = {1f, 0.3f, 0.5f, 0.75f, 0.8f, 0.95f};
        float[] typicalPs = {1f, 1f, 0.5f, 0.9f};
        for (int round = 0; round < 3000; round++) {
            int vocab = 1 + random.nextInt(400);
            int[] topKs = {0, 1, 2, 5, vocab, vocab + 3};
            boolean penalties = random.nextInt(3) == 0;
            SamplingParams p = new SamplingParams(temperatures[random.nextInt(temperatures.length)],
                    topKs[random.nextInt(topKs.length)], topPs[random.nextInt(topPs.length)], random.nextLong(),
                    penalties ? 1.5f : 1f, penalties ? 0.7f : 0f, penalties ? 0.3f : 0f,
                    typicalPs[random.nextInt(typicalPs.length)]);
            List<float[]> rows = new ArrayList<>();
            for (int step = 0; step < 5; step++) {
                rows.add(LogitRows.values()[random.nextInt(LogitRows.values().length)].make(random, vocab));
            }
            assertSamePicks(p, random.ints(random.nextInt(40), 0, vocab).toArray(), rows, 0, rows.size());
        }
    }

    /**
     * LogSoftmax's exps are FastExp's: its log-sum is within 1e-10 of Math.exp's, so a float log-probability is
     * the reference's float or one of its neighbours (within 1e-6 where a float's step is finer than that).
     */
    @Test
    void theLogProbabilitiesAndTopAlternativesAreTheReferencesWithinAFloatStep() {
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 4; round++) {
            for (LogitRows kind : LogitRows.values()) {
                float[] logits = kind.make(random, LogitRows.QWEN_VOCAB);
                LogSoftmax softmax = LogSoftmax.of(logits);
                int[] best = TopTokens.best(logits, 5);
                float[] expected = SortingSampler.topLogProbabilities(logits, 5);
                for (int i = 0; i < best.length; i++) {
                    assertWithinAFloatStep(softmax.logProbability(best[i]), expected[i]);
                }
                int token = random.nextInt(LogitRows.QWEN_VOCAB);
                assertWithinAFloatStep(softmax.logProbability(token), SortingSampler.logProbability(logits, token));
            }
        }
    }

    private static void assertWithinAFloatStep(float actual, float expected) {
        if (Float.isInfinite(expected)) {
            assertThat(actual).isEqualTo(expected);
        } else {
            assertThat((double) actual).isCloseTo(expected, org.assertj.core.data.Offset.offset(
                    Math.max(1e-6, Math.ulp(expected))));
        }
    }

    /** Steps both samplers through {@code count} rows from {@code first} on (cyclically); returns the steps. */
    private static int assertSamePicks(SamplingParams p, int[] prompt, List<float[]> rows, int first, int count) {
        Sampler sampler = new Sampler(p, prompt);
        SortingSampler reference = new SortingSampler(p, prompt);
        for (int step = 0; step < count; step++) {
            float[] row = rows.get((first + step) % rows.size());
            float[] before = row.clone();
            int expected = reference.next(row.clone());
            assertThat(sampler.next(row)).as("step %d of %s over %d ids", step, p, row.length).isEqualTo(expected);
            assertThat(row).as("the row is given back as it was").isEqualTo(before);
        }
        return count;
    }
}
