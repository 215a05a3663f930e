package org.dcpserve.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's pre-tokenisation: cuts text into the words that byte-level BPE then encodes one at a time,
 * so merges never cross a word boundary and the same word always gets the same tokens. The rules are
 * those of GPT-2's pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, tried in that
 * order at each position:
 * <ol>
 *   <li>the contractions {@code 's 't 're 've 'm 'll 'd} (ASCII apostrophe, lower case);
 *   <li>an optional space followed by a run of letters ({@code \p{L}}), or of numbers ({@code \p{N}}),
 *       or of other characters (neither whitespace, letter nor number);
 *   <li>a run of whitespace: all of it at the end of the text; when a non-space follows, all but its
 *       last character, which starts the next word (so {@code "a  b"} is {@code "a", " ", " b"}).
 * </ol>
 *
 * <p>Whitespace is Unicode's White_Space property plus U+001C..U+001F, as in Python's {@code \s}.
 * Surrogate pairs are one code point; a lone surrogate is an "other" character. A hand-written scanner
 * rather than a regex: one pass, linear in the text length, with no backtracking and no stack depth
 * that grows with the length of a word.
 */
final class WordSplitter {

    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int OTHER = 2;
    private static final int SPACE = 3;

    private WordSplitter() {
    }

    /** The words of {@code text} in order; they concatenate to {@code text}. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        for (int start = 0; start < text.length(); ) {
            int end = wordEnd(text, start);
            words.add(text.substring(start, end));
            start = end;
        }
        return words;
    }

    /** The end (exclusive) of the word that starts at {@code start}, which must be less than the length. */
    static int wordEnd(CharSequence text, int start) {
        int length = text.length();
        int contraction = contractionEnd(text, start);
        if (contraction > 0) {
            return contraction;
        }
        int first = Character.codePointAt(text, start);
        int runStart = start;
        int kind = kind(first);
        if (first == ' ' && start + 1 < length) {
            int afterSpace = kind(Character.codePointAt(text, start + 1));
            if (afterSpace != SPACE) {
                runStart = start + 1;
                kind = afterSpace;
            }
        }
        int end = runEnd(text, runStart, kind);
        if (kind != SPACE || end == length) {
            return end;
        }
        // A whitespace run before a non-space: its last character is left to the next word, unless the
        // run is that single character (GPT-2's \s+(?!\S) fails and the plain \s+ takes it).
        int last = Character.offsetByCodePoints(text, end, -1);
        return last > start ? last : end;
    }

    private static int contractionEnd(CharSequence text, int start) {
        if (text.charAt(start) != '\'' || start + 1 >= text.length()) {
            return -1;
        }
        char c = text.charAt(start + 1);
        if (c == 's' || c == 't' || c == 'm' || c == 'd') {
            return start + 2;
        }
        if (start + 2 < text.length()) {
            char d = text.charAt(start + 2);
            if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) {
                return start + 3;
            }
        }
        return -1;
    }

    private static int runEnd(CharSequence text, int start, int kind) {
        int i = start;
        while (i < text.length()) {
            int cp = Character.codePointAt(text, i);
            if (kind(cp) != kind) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int kind(int cp) {
        if (isWhitespace(cp)) {
            return SPACE;
        }
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** Unicode White_Space plus U+001C..U+001F (Java's isWhitespace misses the no-break spaces and U+0085). */
    private static boolean isWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }
}
