package org.dcpserve.core.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Split} pre-tokenizer of {@code tokenizer.json}: cuts text at the matches of a pattern,
 * which either stand alone ({@code Isolated}: Llama 3's and Qwen's word pattern) or end the piece
 * before them ({@code MergedWithPrevious}: Gemma's split after each space). Empty matches cut nothing.
 */
final class SplitPreTokenizer implements PreTokenizer {

    enum Behavior { ISOLATED, MERGED_WITH_PREVIOUS }

    private final Pattern pattern;
    private final Behavior behavior;

    SplitPreTokenizer(Pattern pattern, Behavior behavior) {
        this.pattern = pattern;
        this.behavior = behavior;
    }

    @Override
    public void split(String text, boolean firstSection, List<String> out) {
        Matcher matcher = pattern.matcher(text);
        int end = 0; // end of the text already cut into pieces
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) {
                continue;
            }
            boolean afterGap = matcher.start() > end;
            if (afterGap) {
                out.add(text.substring(end, matcher.start()));
            }
            // Merged with previous: a match joins the gap before it; a match right after another stands alone.
            if (behavior == Behavior.MERGED_WITH_PREVIOUS && afterGap) {
                out.set(out.size() - 1, out.getLast() + matcher.group());
            } else {
                out.add(matcher.group());
            }
            end = matcher.end();
        }
        if (end < text.length()) {
            out.add(text.substring(end));
        }
    }
}
