package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.dcpserve.core.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cTokenizerTest {

    /** A toy vocabulary whose scores make the merge order observable; ids are the array indices. */
    private static final String[] PIECES = {"<unk>", "\n<s>\n", "\n</s>\n", " ", "a", "b", "c", "ab", "bc", " a", " ab", "aa"};
    private static final float[] SCORES = {0, 0, 0, 0, 0, 0, 0, 1, 2, 0.5f, 3, 1};

    @TempDir
    Path tmp;

    @Test
    void mergesTheHighestScoringPairFirstAndTheLeftmostOnTies() throws IOException {
        Llama2cTokenizer tokenizer = Llama2cTokenizer.load(writeTokenizer(tmp.resolve("toy.bin")));

        // " ","a","b","c": "bc" (2) beats "ab" (1) and " a" (0.5), then " a"; merging "ab" first or
        // the leftmost pair first would both end in " ab","c" = [10, 6] instead.
        assertThat(tokenizer.encode("abc")).containsExactly(9, 8);
        // "ab" (1), then the newly formed pair " "+"ab" = " ab" (3).
        assertThat(tokenizer.encode("ab")).containsExactly(10);
        // "aa" and "ab" tie at 1: the leftmost wins and blocks "ab".
        assertThat(tokenizer.encode("aab")).containsExactly(3, 11, 5);
        assertThat(tokenizer.encode("abcab")).containsExactly(9, 8, 7);
        assertThat(tokenizer.encode("")).isEmpty();

        assertThat(tokenizer.decode(new int[] {1, 9, 8, 2})).isEqualTo("abc");
        assertThat(tokenizer.decode(new int[] {9, 8})).isEqualTo(" abc");
        assertThat(tokenizer.vocabSize()).isEqualTo(PIECES.length);
        assertThatThrownBy(() -> tokenizer.encode("z"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+7A");
    }

    /**
     * The O(n log n) encoder against llama2.c's own algorithm, written out naively here: rescan for the
     * highest-scoring mergeable pair (leftmost on ties), merge it, repeat. Random vocabularies with tied
     * scores and long texts exercise the heap's stale entries and tie order.
     */
    @Test
    void encodingEqualsLlama2csRescanningAlgorithm() throws IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        String alphabet = " abc";
        for (int vocabulary = 0; vocabulary < 40; vocabulary++) {
            java.util.LinkedHashMap<String, Float> pieces = new java.util.LinkedHashMap<>();
            for (String special : new String[] {"<unk>", "\n<s>\n", "\n</s>\n"}) {
                pieces.put(special, 0f);
            }
            for (char c : alphabet.toCharArray()) {
                pieces.put(String.valueOf(c), 0f);
            }
            while (pieces.size() < 30) {
                StringBuilder piece = new StringBuilder();
                for (int i = 0, n = 2 + random.nextInt(4); i < n; i++) {
                    piece.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                pieces.putIfAbsent(piece.toString(), (float) random.nextInt(5)); // few distinct scores: many ties
            }
            String[] names = pieces.keySet().toArray(String[]::new);
            float[] scores = new float[names.length];
            for (int i = 0; i < names.length; i++) {
                scores[i] = pieces.get(names[i]);
            }
            Llama2cTokenizer tokenizer = Llama2cTokenizer.load(writeTokenizer(tmp.resolve("v" + vocabulary + ".bin"), names, scores));
            for (int text = 0; text < 20; text++) {
                StringBuilder s = new StringBuilder();
                for (int i = 0, n = random.nextInt(300); i < n; i++) {
                    s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                assertThat(tokenizer.encode(s.toString())).as("vocabulary %d, text '%s'", vocabulary, s)
                        .containsExactly(naiveEncode(s.toString(), names, scores));
            }
        }
    }

    private static int[] naiveEncode(String text, String[] pieces, float[] scores) {
        if (text.isEmpty()) {
            return new int[0];
        }
        java.util.List<String> symbols = new java.util.ArrayList<>();
        symbols.add(" ");
        text.chars().forEach(c -> symbols.add(String.valueOf((char) c)));
        java.util.List<String> vocabulary = Arrays.asList(pieces);
        while (true) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int id = vocabulary.indexOf(symbols.get(i) + symbols.get(i + 1));
                if (id >= 0 && scores[id] > bestScore) {
                    best = i;
                    bestScore = scores[id];
                }
            }
            if (best < 0) {
                return symbols.stream().mapToInt(vocabulary::indexOf).toArray();
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
    }

    @Test
    void truncatedFileFailsNamingTheFile() throws IOException {
        Path full = writeTokenizer(tmp.resolve("full.bin"));
        byte[] bytes = Files.readAllBytes(full);
        Path truncated = Files.write(tmp.resolve("truncated.bin"), Arrays.copyOf(bytes, bytes.length - 1));
        assertThatThrownBy(() -> Llama2cTokenizer.load(truncated))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated.bin").hasMessageContaining("token 11 is truncated");

        Path empty = Files.write(tmp.resolve("empty.bin"), new byte[2]);
        assertThatThrownBy(() -> Llama2cTokenizer.load(empty))
                .isInstanceOf(IOException.class).hasMessageContaining("empty.bin").hasMessageContaining("too short");
    }

    @Test
    void stories260KTokenizerMatchesLlama2c() throws IOException {
        Path file = SharedData.stories260KTokenizer();
        SharedData.assumePresent(file);
        Llama2cTokenizer tokenizer = Llama2cTokenizer.load(file);
        assertThat(tokenizer.vocabSize()).isEqualTo(512);

        int[] ids = tokenizer.encode("Once upon a time");
        assertThat(ids).containsExactly(403, 407, 261, 378); // " Once", " upon", " a", " time"
        assertThat(tokenizer.decode(withBos(ids))).isEqualTo("Once upon a time");
        assertThat(tokenizer.decode(ids)).isEqualTo(" Once upon a time");
        assertThat(tokenizer.encode("")).isEmpty();

        // "é" has a piece of its own; the snowman falls back to its three UTF-8 bytes (b + 3).
        assertThat(tokenizer.encode("café ☃")).containsExactly(280, 412, 431, 485, 410, 0xE2 + 3, 0x98 + 3, 0x83 + 3);
        for (String text : new String[] {"café ☃", "Once upon a time", "Hello\nworld!", "  two  spaces ", "日本語 😀"}) {
            assertThat(tokenizer.decode(withBos(tokenizer.encode(text)))).as(text).isEqualTo(text);
        }

        assertThat(tokenizer.tokenText('\n' + 3)).isEqualTo("<0x0A>");
        assertThat(tokenizer.tokenText(1)).isEqualTo("<s>");
        assertThat(tokenizer.tokenText(2)).isEqualTo("</s>");
        assertThat(tokenizer.tokenText(403)).isEqualTo(" Once");
        // Half of a multi-byte character decodes to U+FFFD rather than failing.
        assertThat(tokenizer.decode(new int[] {0xE2 + 3})).isEqualTo("\uFFFD");
    }

    private static int[] withBos(int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = Llama2cTokenizer.BOS;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** Writes the toy pieces in llama2.c's tokenizer.bin format. */
    private static Path writeTokenizer(Path file) throws IOException {
        return writeTokenizer(file, PIECES, SCORES);
    }

    private static Path writeTokenizer(Path file, String[] pieces, float[] scores) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(6);
        for (int i = 0; i < pieces.length; i++) {
            byte[] piece = pieces[i].getBytes(StandardCharsets.UTF_8);
            buf.putFloat(scores[i]).putInt(piece.length).put(piece);
        }
        return Files.write(file, Arrays.copyOf(buf.array(), buf.position()));
    }
}
