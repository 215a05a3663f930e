package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    @Test
    void frequentWordsBecomeSingleTokens() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("It was the cat and the dog and the bird in the house of the king.");
        }
        BpeTokenizer tokenizer = BpeTrainer.train(texts, 400);
        for (String word : List.of(" the", " and", " house", " king", "It")) {
            int[] ids = tokenizer.encode(word);
            assertThat(ids).as(word).hasSize(1);
            assertThat(tokenizer.tokenText(ids[0])).isEqualTo(word);
        }
        // Merges never cross word boundaries: no token holds a space after its first character.
        for (int id = BpeTokenizer.FIRST_MERGE_ID; id < tokenizer.vocabSize(); id++) {
            assertThat(tokenizer.tokenText(id).substring(1)).doesNotContain(" ");
        }
        assertThat(tokenizer.encode(texts.get(0))).hasSize(17); // every word, and the final ".", one token
    }

    @Test
    void theMostFrequentPairIsMergedFirstAndTiesGoToTheSmallestIds() {
        // A newline before a word is a word of its own, so the only pairs are (a,b) and (c,d).
        assertThat(BpeTrainer.train(List.of("cd\ncd\ncd\nab\nab"), 1000).merges())
                .isDeepEqualTo(new int[][] {{'c' + 1, 'd' + 1}, {'a' + 1, 'b' + 1}});
        assertThat(BpeTrainer.train(List.of("cd\ncd\ncd\nab\nab\nab"), 1000).merges())
                .isDeepEqualTo(new int[][] {{'a' + 1, 'b' + 1}, {'c' + 1, 'd' + 1}});
        assertThat(BpeTrainer.train(List.of("ca\nca\nab\nab"), 1000).merges()) // (a,b) and (c,a): smaller left wins
                .isDeepEqualTo(new int[][] {{'a' + 1, 'b' + 1}, {'c' + 1, 'a' + 1}});
        assertThat(BpeTrainer.train(List.of("ac\nac\nab\nab"), 1000).merges()) // (a,b) and (a,c): smaller right wins
                .isDeepEqualTo(new int[][] {{'a' + 1, 'b' + 1}, {'a' + 1, 'c' + 1}});
        // "zy zy" occurs twice; then nothing occurs twice and training stops before the requested size.
        BpeTokenizer early = BpeTrainer.train(List.of("zy zy"), 1000);
        assertThat(early.merges()).isDeepEqualTo(new int[][] {{'z' + 1, 'y' + 1}});
        assertThat(BpeTrainer.train(List.of("abc"), 1000).vocabSize()).isEqualTo(257);
        assertThat(BpeTrainer.train(List.of(), 1000).vocabSize()).isEqualTo(257);
    }

    @Test
    void trainingIsDeterministicWhateverTheOrderOfTheTexts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add(EnglishText.generate(i, 3000));
        }
        int[][] merges = BpeTrainer.train(texts, 700).merges();
        assertThat(merges).hasNumberOfRows(700 - 257);
        assertThat(BpeTrainer.train(texts, 700).merges()).isDeepEqualTo(merges);
        List<String> shuffled = new ArrayList<>(texts);
        Collections.shuffle(shuffled, new Random(9));
        assertThat(BpeTrainer.train(shuffled, 700).merges()).isDeepEqualTo(merges);
        // A smaller vocabulary is a prefix of the larger one's merges.
        assertThat(BpeTrainer.train(texts, 400).merges()).isDeepEqualTo(Arrays.copyOf(merges, 400 - 257));
    }

    @Test
    void incrementalCountsGiveTheSameMergesAsRecountingEverything() {
        SplittableRandom random = new SplittableRandom(17);
        List<String> texts = new ArrayList<>();
        String[] pieces = {"a", "b", "ab", "aa", "ba", " ", "  ", "\n", "é", "日", "x", "'s", "1", "!"};
        for (int t = 0; t < 200; t++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(1, 40);
            for (int i = 0; i < length; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            texts.add(text.toString());
        }
        texts.add(EnglishText.generate(2, 4000));
        texts.add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa abababababababababab aaabaaab");
        assertThat(BpeTrainer.train(texts, 1000).merges()).isDeepEqualTo(naiveTrain(texts, 1000));
    }

    @Test
    void reportsProgressAfterEveryMerge() {
        List<Integer> reported = new ArrayList<>();
        BpeTokenizer tokenizer = BpeTrainer.train(List.of(EnglishText.generate(3, 5000)), 300, reported::add);
        assertThat(reported).hasSize(43).startsWith(1, 2, 3).endsWith(43);
        assertThat(tokenizer.vocabSize()).isEqualTo(300);
    }

    @Test
    void rejectsVocabularySizesOutsideTheRange() {
        assertThatThrownBy(() -> BpeTrainer.train(List.of("a"), 257))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("258").hasMessageContaining("257");
        assertThatThrownBy(() -> BpeTrainer.train(List.of("a"), 65537))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThat(BpeTrainer.train(List.of("aa aa"), 258).vocabSize()).isEqualTo(258);
    }

    /**
     * The textbook trainer: each round recounts every adjacent pair over all words (weighted by word
     * frequency), takes the most frequent (smallest left, then right id on ties) if it occurs at least
     * twice, and merges it left to right in every word.
     */
    private static int[][] naiveTrain(List<String> texts, int vocabSize) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String word : WordSplitter.split(text)) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        List<List<Integer>> words = new ArrayList<>();
        List<Integer> frequencies = new ArrayList<>();
        counts.forEach((word, count) -> {
            List<Integer> ids = new ArrayList<>();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                ids.add((b & 0xFF) + 1);
            }
            words.add(ids);
            frequencies.add(count);
        });
        List<int[]> merges = new ArrayList<>();
        while (257 + merges.size() < vocabSize) {
            Map<List<Integer>, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<Integer> ids = words.get(w);
                for (int i = 0; i + 1 < ids.size(); i++) {
                    pairs.merge(List.of(ids.get(i), ids.get(i + 1)), (long) frequencies.get(w), Long::sum);
                }
            }
            List<Integer> best = null;
            long bestCount = 1;
            for (Map.Entry<List<Integer>, Long> e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && best != null && (p.get(0) < best.get(0)
                        || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))))) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            int id = 257 + merges.size();
            merges.add(new int[] {best.get(0), best.get(1)});
            for (List<Integer> ids : words) {
                for (int i = 0; i + 1 < ids.size(); i++) {
                    if (ids.get(i).equals(best.get(0)) && ids.get(i + 1).equals(best.get(1))) {
                        ids.set(i, id);
                        ids.remove(i + 1);
                    }
                }
            }
        }
        return merges.toArray(int[][]::new);
    }
}
