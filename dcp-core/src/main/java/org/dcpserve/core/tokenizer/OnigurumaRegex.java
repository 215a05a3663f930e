package org.dcpserve.core.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code tokenizer.json} regex (written for Oniguruma, which Hugging Face's tokenizers compile their
 * patterns with) as a Java {@link Pattern} that matches the same strings. Most of the syntax is the
 * same; where Java differs, the construct is rewritten or, where no faithful rewrite is at hand,
 * refused, so a pattern never silently matches differently:
 * <ul>
 *   <li>{@code \s}, {@code \S}: Oniguruma's are Unicode White_Space (Java's are ASCII only), so
 *       {@code \p{IsWhite_Space}} and its complement;
 *   <li>{@code \d}, {@code \D}: Unicode decimal digits ({@code \p{Nd}}), not ASCII only;
 *   <li>{@code (?i)}: Unicode case folding, as Oniguruma's ({@link Pattern#UNICODE_CASE});
 *   <li>{@code .}, {@code ^}, {@code $}: Oniguruma (Ruby syntax) ends lines only at {@code \n}, and
 *       {@code ^}/{@code $} match at every line ({@link Pattern#UNIX_LINES}, {@link Pattern#MULTILINE});
 *   <li>refused: {@code \w \W \b \B} (Oniguruma's word characters are not Java's), {@code \h \H} (hex
 *       digits in Oniguruma, horizontal space in Java), {@code \G \K \R \X \y \Y \O}, and POSIX
 *       brackets such as {@code [:alpha:]} (literal characters to Java).
 * </ul>
 * {@code \p{L}}, {@code \p{N}} and the other general categories, classes, groups, look-around and
 * quantifiers mean the same in both.
 */
final class OnigurumaRegex {

    private static final Pattern POSIX_BRACKET = Pattern.compile("\\[:\\^?[A-Za-z]+:]");

    private OnigurumaRegex() {
    }

    /** The Java pattern of {@code regex}; an unsupported construct fails with a one-line message naming it. */
    static Pattern compile(String regex) {
        var posix = POSIX_BRACKET.matcher(regex);
        if (posix.find()) {
            throw new IllegalArgumentException("regex " + quote(regex) + ": POSIX bracket " + posix.group() + " is not supported");
        }
        StringBuilder java = new StringBuilder(regex.length() + 32);
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c != '\\' || i + 1 == regex.length()) {
                java.append(c);
                continue;
            }
            char escaped = regex.charAt(++i);
            switch (escaped) {
                case 's' -> java.append("\\p{IsWhite_Space}");
                case 'S' -> java.append("\\P{IsWhite_Space}");
                case 'd' -> java.append("\\p{Nd}");
                case 'D' -> java.append("\\P{Nd}");
                case 'w', 'W', 'b', 'B', 'h', 'H', 'G', 'K', 'R', 'X', 'y', 'Y', 'O' -> throw new IllegalArgumentException(
                        "regex " + quote(regex) + ": \\" + escaped + " is not supported");
                default -> java.append('\\').append(escaped);
            }
        }
        try {
            return Pattern.compile(java.toString(), Pattern.UNICODE_CASE | Pattern.UNIX_LINES | Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("regex " + quote(regex) + " does not compile: " + e.getDescription());
        }
    }

    private static String quote(String regex) {
        return "'" + regex.replace("\n", "\\n").replace("\r", "\\r") + "'";
    }
}
