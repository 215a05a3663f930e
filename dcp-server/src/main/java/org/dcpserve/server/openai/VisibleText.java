package org.dcpserve.server.openai;

import java.util.List;
import org.dcpserve.core.generate.FinishReason;

/**
 * The text of one choice as an OpenAI client sees it: without the stop sequence that ended it (TGI keeps it,
 * OpenAI does not) and, for chat, without leading whitespace. While streaming, text that may be the start of a
 * stop sequence is held back until the next tokens tell, so what was streamed is always the final text's prefix.
 */
final class VisibleText {

    private final List<String> stops;
    private final boolean trimLeading;
    private final StringBuilder generated = new StringBuilder();
    /** Where the reply starts in the generated text (after leading whitespace); -1 while unknown. */
    private int start;
    private int emitted;

    VisibleText(List<String> stops, boolean trimLeading) {
        this.stops = stops;
        this.trimLeading = trimLeading;
        this.start = trimLeading ? -1 : 0;
    }

    /** Takes the text a token completed; returns what can be sent now (maybe ""). */
    String push(String delta) {
        generated.append(delta);
        int safeEnd = generated.length() - heldBack();
        if (start < 0) {
            int i = 0;
            while (i < safeEnd && Character.isWhitespace(generated.charAt(i))) {
                i++;
            }
            if (i == safeEnd) {
                return "";
            }
            start = i;
        }
        int from = start + emitted;
        if (safeEnd <= from) {
            return "";
        }
        String out = generated.substring(from, safeEnd);
        emitted += out.length();
        return out;
    }

    /** The rest of the final text, once the generation is over. */
    String finish(String finalText) {
        return emitted >= finalText.length() ? "" : finalText.substring(emitted);
    }

    /** The final text: the generated text without the stop sequence that ended it (and leading whitespace). */
    String finalText(String text, FinishReason reason) {
        String out = reason == FinishReason.STOP_SEQUENCE ? withoutStop(text, stops) : text;
        return trimLeading ? out.stripLeading() : out;
    }

    private static String withoutStop(String text, List<String> stops) {
        String longest = "";
        for (String stop : stops) {
            if (text.endsWith(stop) && stop.length() > longest.length()) {
                longest = stop;
            }
        }
        return text.substring(0, text.length() - longest.length());
    }

    /** Length of the longest end of the text so far that a stop sequence starts with. */
    private int heldBack() {
        int best = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length(), generated.length()); k > best; k--) {
                if (generated.substring(generated.length() - k).equals(stop.substring(0, k))) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
