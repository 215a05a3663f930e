package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {

    private static BpeTokenizer trained;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        trained = BpeTrainer.train(List.of(EnglishText.generate(1, 200_000)), 600);
    }

    private static int b(char c) {
        return c + 1; // the id of an ASCII byte
    }

    @Test
    void idsAreTheSpecialTokenThenBytesThenMerges() {
        // "ab" = 257, "abc" = 258, "bc" = 259: merges apply lowest rank first, so "abc" is one token
        // although "bc" would also apply, and "bcab" takes "ab" before "bc" would matter.
        BpeTokenizer tokenizer = BpeTokenizer.fromMerges(new int[][] {{b('a'), b('b')}, {257, b('c')}, {b('b'), b('c')}});
        assertThat(tokenizer.vocabSize()).isEqualTo(260);
        assertThat(tokenizer.encode("abc")).containsExactly(258);
        assertThat(tokenizer.encode("bcab")).containsExactly(259, 257);
        assertThat(tokenizer.encode("abcab abc")).containsExactly(258, 257, b(' '), 258);
        assertThat(tokenizer.encode("\u0000ÿ")).containsExactly(1, 0xC3 + 1, 0xBF + 1);
        assertThat(tokenizer.encode("")).isEmpty();

        // Same rank twice in a word: leftmost first, without overlapping ("aaa" is "aa" + "a").
        BpeTokenizer aa = BpeTokenizer.fromMerges(new int[][] {{b('a'), b('a')}, {257, 257}});
        assertThat(aa.encode("aaa")).containsExactly(257, b('a'));
        assertThat(aa.encode("aaaaa")).containsExactly(258, b('a'));
        assertThat(aa.encode("aaaaaa")).containsExactly(258, 257);

        assertThat(tokenizer.tokenText(258)).isEqualTo("abc");
        assertThat(tokenizer.tokenText(b('a'))).isEqualTo("a");
        assertThat(tokenizer.tokenText(0)).isEqualTo(BpeTokenizer.END_OF_TEXT_PIECE).isEqualTo("<|endoftext|>");
        assertThat(tokenizer.maxTokenChars()).isEqualTo(3);
        assertThat(BpeTokenizer.fromMerges(new int[0][]).maxTokenChars()).isEqualTo(1);
    }

    @Test
    void mergesMayNotUseLaterOrSpecialIdsNorRepeat() {
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(new int[][] {{b('a'), 257}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge 0 [98, 257]");
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(new int[][] {{0, b('a')}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge 0 [0, 98]");
        assertThatThrownBy(() -> BpeTokenizer.fromMerges(new int[][] {{b('a'), b('b')}, {b('c'), b('d')}, {b('a'), b('b')}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge 2").hasMessageContaining("repeats");
    }

    @Test
    void anyUnicodeTextRoundTrips() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 2000; n++) {
            String text = randomUnicode(random, random.nextInt(0, 60));
            int[] ids = trained.encode(text);
            assertThat(ids).as("no special token from text").doesNotContain(BpeTokenizer.END_OF_TEXT);
            assertThat(Arrays.stream(ids).max().orElse(1)).isLessThan(trained.vocabSize());
            assertThat(trained.decode(ids)).as("%s", Arrays.toString(text.codePoints().toArray())).isEqualTo(text);
        }
        String english = EnglishText.generate(99, 20_000);
        assertThat(trained.decode(trained.encode(english))).isEqualTo(english);
        assertThat(trained.encode(english).length).as("merges compress English").isLessThan(english.length() / 2);
    }

    @Test
    void loneSurrogatesBecomeQuestionMarksAsInGetBytes() {
        String text = "a\uD800b \uDC00\uDC00 x\uD83D";
        assertThat(trained.decode(trained.encode(text))).isEqualTo("a?b ?? x?")
                .isEqualTo(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertThat(trained.decode(trained.encode("\uD83D\uDE00"))).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void typedEndOfTextIsOrdinaryText() {
        int[] ids = trained.encode("a<|endoftext|>b");
        assertThat(ids).doesNotContain(BpeTokenizer.END_OF_TEXT);
        assertThat(trained.decode(ids)).isEqualTo("a<|endoftext|>b");
        assertThat(trained.decode(new int[] {BpeTokenizer.END_OF_TEXT, b('h'), b('i'), BpeTokenizer.END_OF_TEXT})).isEqualTo("hi");
    }

    @Test
    void decodingSplitCharactersAndBadIds() {
        BpeTokenizer tokenizer = BpeTokenizer.fromMerges(new int[][] {{0xE2 + 1, 0x98 + 1}});
        // "☃" is E2 98 83: one merged token of an incomplete character, then a lone continuation byte.
        int[] ids = tokenizer.encode("☃");
        assertThat(ids).containsExactly(257, 0x83 + 1);
        assertThat(tokenizer.decode(ids)).isEqualTo("☃");
        assertThat(tokenizer.decode(new int[] {257})).isEqualTo("\uFFFD");
        assertThat(tokenizer.tokenText(257)).isEqualTo("<0xE2><0x98>");
        assertThat(tokenizer.tokenText(0x83 + 1)).isEqualTo("<0x83>");

        assertThatThrownBy(() -> tokenizer.decode(new int[] {5, 258}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("258").hasMessageContaining("[0, 258)");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> tokenizer.tokenText(258)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noTokenDecodesToMoreCharactersThanTheBound() {
        int longest = 0;
        for (int id = 0; id < trained.vocabSize(); id++) {
            longest = Math.max(longest, trained.decode(new int[] {id}).length());
        }
        // The text is ASCII, so every merged token decodes to one character per byte: the bound is tight.
        assertThat(longest).isGreaterThan(3).isEqualTo(trained.maxTokenChars());
    }

    @Test
    void encodingEqualsNaiveMergingOnRandomTextAndLongWords() {
        SplittableRandom random = new SplittableRandom(3);
        List<String> texts = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            texts.add(EnglishText.generate(random.nextLong(), random.nextInt(1, 400)));
            texts.add(randomUnicode(random, random.nextInt(1, 40)));
        }
        texts.add("e".repeat(3000));
        texts.add(" ".repeat(2500) + "the");
        texts.add("th".repeat(1200) + " " + "\n".repeat(700));
        StringBuilder glued = new StringBuilder(); // one long word of frequent letter sequences
        for (int i = 0; i < 200; i++) {
            glued.append(EnglishText.generate(random.nextLong(), 30).replaceAll("[^a-z]", ""));
        }
        texts.add(glued.toString());
        texts.add("abcabcabc".repeat(300));

        int[][] merges = trained.merges();
        List<int[]> expected = texts.stream().map(text -> naiveEncode(merges, text)).toList();
        BpeTokenizer fresh = BpeTokenizer.fromMerges(merges);
        for (int round = 0; round < 2; round++) { // first every word misses the cache, then it hits
            for (int i = 0; i < texts.size(); i++) {
                assertThat(fresh.encode(texts.get(i))).as("%.40s", texts.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void aCandidatePairChangedByAnEarlierMergeIsSkipped() {
        // "abcb": "bc" (rank 0) makes "aB" (rank 1), which makes "D"; the queued "ab" (rank 2) at the
        // first position must not then merge "D" with the final "b" just because that is also a "b".
        BpeTokenizer tokenizer = BpeTokenizer.fromMerges(new int[][] {{b('b'), b('c')}, {b('a'), 257}, {b('a'), b('b')}});
        assertThat(tokenizer.encode("abcb")).containsExactly(258, b('b'));
        assertThat(tokenizer.encode("abcb")).isEqualTo(naiveEncode(tokenizer.merges(), "abcb"));
    }

    @Test
    void randomMergeTablesAgreeWithNaiveMerging() {
        // Many merges over a three-letter alphabet, so words are full of competing and changing pairs.
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            List<int[]> merges = new ArrayList<>();
            Set<List<Integer>> seen = new HashSet<>();
            int target = random.nextInt(1, 40);
            while (merges.size() < target) {
                int[] ids = {b('a'), b('b'), b('c')};
                int left = random.nextInt(3 + merges.size());
                int right = random.nextInt(3 + merges.size());
                int[] pair = {left < 3 ? ids[left] : 257 + left - 3, right < 3 ? ids[right] : 257 + right - 3};
                if (seen.add(List.of(pair[0], pair[1]))) {
                    merges.add(pair);
                }
            }
            int[][] table = merges.toArray(int[][]::new);
            BpeTokenizer tokenizer = BpeTokenizer.fromMerges(table);
            for (int n = 0; n < 20; n++) {
                StringBuilder word = new StringBuilder();
                int length = random.nextInt(1, 40);
                for (int i = 0; i < length; i++) {
                    word.append("abc".charAt(random.nextInt(3)));
                }
                assertThat(tokenizer.encode(word.toString())).as("%s with %s", word, Arrays.deepToString(table))
                        .isEqualTo(naiveEncode(table, word.toString()));
            }
        }
    }

    @Test
    void pathologicalWordsAreNotQuadratic() {
        // 200k-byte words: quadratic merging (about 10^10 steps) would not finish in test time.
        BpeTokenizer tokenizer = BpeTrainer.train(List.of("x".repeat(1000), " ".repeat(1000) + "y"), 300);
        for (String text : List.of("x".repeat(200_000), " ".repeat(200_000) + "y")) {
            int[] ids = tokenizer.encode(text);
            assertThat(ids.length).isLessThan(text.length() / 100);
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
        }
    }

    @Test
    void concurrentEncodingGivesTheSameTokens() throws InterruptedException {
        BpeTokenizer tokenizer = BpeTokenizer.fromMerges(trained.merges());
        String text = EnglishText.generate(5, 50_000);
        int[] expected = trained.encode(text);
        List<Thread> threads = new ArrayList<>();
        List<int[]> results = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> results.add(tokenizer.encode(text))));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(results).hasSize(4).allSatisfy(ids -> assertThat(ids).isEqualTo(expected));
    }

    @Test
    void saveAndLoadGiveTheSameTokenizer() throws IOException {
        Path file = tmp.resolve("tokenizer.json");
        trained.save(file);
        BpeTokenizer loaded = BpeTokenizer.load(file);
        assertThat(loaded.merges()).isDeepEqualTo(trained.merges());
        assertThat(loaded.vocabSize()).isEqualTo(trained.vocabSize());
        String text = EnglishText.generate(11, 5000) + " ☃ 日本 \uD83D\uDE00";
        assertThat(loaded.encode(text)).isEqualTo(trained.encode(text));

        String json = Files.readString(file);
        assertThat(json).startsWith("{\n  \"format\": \"dcp-bpe\",\n  \"version\": 1,\n  \"pre_tokenizer\": \"gpt2-words\",\n"
                + "  \"special_tokens\": [\"<|endoftext|>\"],\n  \"merges\": [\n    [");
        int[] first = trained.merges()[0];
        assertThat(json).contains("\n    [" + first[0] + ", " + first[1] + "],\n");
        assertThat(json).contains("  \"pieces\": [\n    " + quote(trained.tokenText(257)) + ",\n");
        assertThat(json.lines().count()).isEqualTo(2L * (trained.vocabSize() - 257) + 10);

        // Pieces are only for reading: a file without them loads the same.
        Path noPieces = Files.writeString(tmp.resolve("no-pieces.json"), json.replaceAll("(?s),\\s*\"pieces\".*\\]", ""));
        assertThat(BpeTokenizer.load(noPieces).merges()).isDeepEqualTo(trained.merges());

        BpeTokenizer empty = BpeTokenizer.fromMerges(new int[0][]);
        empty.save(tmp.resolve("empty.json"));
        assertThat(BpeTokenizer.load(tmp.resolve("empty.json")).vocabSize()).isEqualTo(257);
    }

    @Test
    void corruptFilesFailWithOneLineNamingTheFileAndProblem() throws IOException {
        Path good = tmp.resolve("good.json");
        BpeTokenizer.fromMerges(new int[][] {{b('a'), b('b')}, {257, b('c')}}).save(good);
        String json = Files.readString(good);

        assertBad("truncated.json", json.substring(0, json.length() / 2), "not valid JSON");
        assertBad("array.json", "[1, 2]", "not a JSON object");
        assertBad("empty.json", "", "not a JSON object");
        assertBad("format.json", json.replace("dcp-bpe", "hf-bpe"), "\"format\" is \"hf-bpe\", expected \"dcp-bpe\"");
        assertBad("version.json", json.replace("\"version\": 1", "\"version\": 2"), "version 2 is not supported");
        assertBad("pre.json", json.replace("gpt2-words", "whitespace"), "\"pre_tokenizer\"");
        assertBad("special.json", json.replace("\"<|endoftext|>\"", "\"<s>\""), "\"special_tokens\"");
        assertBad("later.json", json.replace("[257, 100]", "[259, 100]"), "merge 1 [259, 100]");
        assertBad("duplicate.json", json.replace("[257, 100]", "[98, 99]"), "merge 1 [98, 99] repeats");
        assertBad("shape.json", json.replace("[257, 100]", "[257, 100, 1]"), "merge 1 is [257,100,1]");
        assertBad("text.json", json.replace("[257, 100]", "[\"ab\", \"c\"]"), "merge 1 is [\"ab\",\"c\"]");
        assertBad("big.json", json.replace("[257, 100]", "[257, 10000000000]"), "merge 1 is [257,10000000000]");
        assertBad("merges.json", json.replace("\"merges\"", "\"merges_\""), "\"merges\" must be an array");
        assertBad("twice.json", json.replace("\"merges\": [", "\"merges\": [], \"merges\": ["), "Duplicate");
        assertBad("pieces.json", json.replace("\"abc\"", "\"abd\""), "piece 1 is \"abd\" but merge 1 makes \"abc\"");
        assertBad("count.json", json.replace(",\n    \"abc\"", ""), "\"pieces\" must be an array of 2 strings");
        Path latin1 = Files.write(tmp.resolve("latin1.json"), json.replace("\"ab\"", "\"\u00E9\"").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> BpeTokenizer.load(latin1)).isInstanceOf(IOException.class).hasMessageContaining("latin1.json");
    }

    private void assertBad(String name, String content, String problem) throws IOException {
        Path file = Files.writeString(tmp.resolve(name), content);
        assertThatThrownBy(() -> BpeTokenizer.load(file))
                .as(name)
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("tokenizer " + file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** The textbook algorithm: per word, merge the lowest-rank adjacent pair (leftmost) until none is left. */
    static int[] naiveEncode(int[][] merges, String text) {
        Map<List<Integer>, Integer> ranks = new HashMap<>();
        for (int r = 0; r < merges.length; r++) {
            ranks.put(List.of(merges[r][0], merges[r][1]), r);
        }
        List<Integer> out = new ArrayList<>();
        for (String word : WordSplitter.split(text)) {
            List<Integer> symbols = new ArrayList<>();
            for (byte x : word.getBytes(StandardCharsets.UTF_8)) {
                symbols.add((x & 0xFF) + 1);
            }
            while (true) {
                int bestRank = Integer.MAX_VALUE;
                int bestAt = -1;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer rank = ranks.get(List.of(symbols.get(i), symbols.get(i + 1)));
                    if (rank != null && rank < bestRank) {
                        bestRank = rank;
                        bestAt = i;
                    }
                }
                if (bestAt < 0) {
                    break;
                }
                symbols.set(bestAt, 257 + bestRank);
                symbols.remove(bestAt + 1);
            }
            out.addAll(symbols);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Random code points of every sort: ASCII, controls and NUL, whitespace runs, marks, CJK, emoji, all planes. */
    static String randomUnicode(SplittableRandom random, int codePoints) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int cp = switch (random.nextInt(10)) {
                case 0 -> random.nextInt(0x20); // controls, NUL
                case 1 -> " \t\n\r\u00A0\u3000".charAt(random.nextInt(6));
                case 2 -> random.nextInt(0x300, 0x370); // combining marks
                case 3 -> random.nextInt(0x4E00, 0xA000); // CJK
                case 4 -> random.nextInt(0x1F300, 0x1FA00); // emoji
                case 5 -> {
                    int any = random.nextInt(0x110000);
                    yield any >= 0xD800 && any < 0xE000 ? 'x' : any;
                }
                default -> random.nextInt(0x20, 0x7F);
            };
            text.appendCodePoint(cp);
            if (random.nextInt(20) == 0) {
                text.append(" ".repeat(random.nextInt(1, 6)));
            }
        }
        return text.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
