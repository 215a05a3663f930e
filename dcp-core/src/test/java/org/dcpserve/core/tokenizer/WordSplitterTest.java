package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WordSplitterTest {

    /**
     * GPT-2's pattern, with \s spelt out as the splitter's whitespace (Unicode White_Space plus
     * U+001C..U+001F, like Python's \s). Backtracking makes it slow on long runs, which is why the
     * splitter does not use it, but on short strings it is the reference.
     */
    private static final String SPACE = "[\\p{IsWhite_Space}\\x{1C}-\\x{1F}]";
    private static final String NON_SPACE = "[^\\p{IsWhite_Space}\\x{1C}-\\x{1F}]";
    private static final Pattern GPT2 = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\p{IsWhite_Space}"
            + "\\x{1C}-\\x{1F}\\p{L}\\p{N}]+|" + SPACE + "+(?!" + NON_SPACE + ")|" + SPACE + "+");

    @Test
    void splitsLikeGpt2() {
        assertThat(WordSplitter.split("Hello world")).containsExactly("Hello", " world");
        assertThat(WordSplitter.split("I'm sure they're here, aren't we? We'll see'd"))
                .containsExactly("I", "'m", " sure", " they", "'re", " here", ",", " aren", "'t", " we", "?", " We",
                        "'ll", " see", "'d");
        assertThat(WordSplitter.split("abc123 456!! ...")).containsExactly("abc", "123", " 456", "!!", " ...");
        // A contraction only at the apostrophe itself; after a space or other punctuation it is punctuation.
        assertThat(WordSplitter.split(" 's ''s")).containsExactly(" '", "s", " ''", "s");
        assertThat(WordSplitter.split("'S 'x")).containsExactly("'", "S", " '", "x");
    }

    @Test
    void whitespaceRunsLeaveTheirLastSpaceToTheNextWord() {
        assertThat(WordSplitter.split("a  b")).containsExactly("a", " ", " b");
        assertThat(WordSplitter.split("a    b")).containsExactly("a", "   ", " b");
        assertThat(WordSplitter.split("x\n\n y")).containsExactly("x", "\n\n", " y");
        assertThat(WordSplitter.split("x\n\ny")).containsExactly("x", "\n", "\n", "y");
        assertThat(WordSplitter.split("x\ny")).containsExactly("x", "\n", "y");
        assertThat(WordSplitter.split("end  \t ")).containsExactly("end", "  \t ");
        assertThat(WordSplitter.split("   ")).containsExactly("   ");
        assertThat(WordSplitter.split("")).isEmpty();
    }

    @Test
    void classifiesUnicodeAndKeepsSurrogatePairsWhole() {
        // No-break space is whitespace; combining marks and emoji are "other"; CJK is letters.
        assertThat(WordSplitter.split("a\u00A0b")).containsExactly("a", "\u00A0", "b");
        assertThat(WordSplitter.split("cafe\u0301 日本語 \uD83D\uDE00\uD83D\uDE00x"))
                .containsExactly("cafe", "\u0301", " 日本語", " \uD83D\uDE00\uD83D\uDE00", "x");
        assertThat(WordSplitter.split("\uD800ab\uDC00")).containsExactly("\uD800", "ab", "\uDC00");
        assertThat(WordSplitter.split("Ⅻ½3")).containsExactly("Ⅻ½3"); // letter and other numbers are \p{N}
    }

    @Test
    void agreesWithGpt2sPatternOnRandomStrings() {
        SplittableRandom random = new SplittableRandom(42);
        String[] alphabet = {"a", "Z", "é", "日", "s", "t", "r", "e", "v", "l", "m", "d", "'", "'", " ", " ", " ", "\n",
                "\t", "\r", "\u00A0", "\u0085", "\u001C", "\u2028", "1", "٣", "½", "!", ".", "-", "\u0301",
                "\uD83D\uDE00", "\uD800", "\uDC00", "\u0000", "\u200B"};
        for (int n = 0; n < 5000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(1, 25);
            for (int i = 0; i < length; i++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String s = text.toString();
            assertThat(WordSplitter.split(s)).as("%s", escape(s)).isEqualTo(reference(s));
        }
    }

    @Test
    void aHugeRunIsOneWordAndSplitInLinearTime() {
        // Quadratic splitting would take minutes here; linear takes milliseconds.
        String letters = "x".repeat(2_000_000);
        assertThat(WordSplitter.split(letters)).containsExactly(letters);
        String spaces = " ".repeat(2_000_000) + "y";
        assertThat(WordSplitter.split(spaces)).containsExactly(" ".repeat(1_999_999), " y");
    }

    private static List<String> reference(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        int end = 0;
        while (m.find()) {
            assertThat(m.start()).as("the pattern matches everything").isEqualTo(end);
            words.add(m.group());
            end = m.end();
        }
        assertThat(end).isEqualTo(text.length());
        return words;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
