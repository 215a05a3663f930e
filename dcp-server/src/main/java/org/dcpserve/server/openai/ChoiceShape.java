package org.dcpserve.server.openai;

import java.util.List;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.server.openai.OpenAiResponses.Usage;

/**
 * What one OpenAI route sends for its choices, around the {@link ChoiceRunner} that runs them: its chunks when
 * streamed, its choice and response body when not. The text given is always the {@link VisibleText}.
 *
 * @param <C> the route's choice type in a whole response
 */
interface ChoiceShape<C> {

    /** Whether the reply's leading whitespace is dropped (chat's after the plain transcript's "Assistant:"). */
    default boolean trimsLeadingWhitespace() {
        return false;
    }

    /** The chunk that opens choice {@code index}, or null for none. */
    Object opening(int index, String requestId);

    /** The chunk for one generated token whose visible text is {@code text}, or null to send nothing. */
    Object delta(int index, String text, GeneratedToken token, String requestId);

    /** The choice's last chunk: the text held back until the end, and the finish reason. */
    Object last(int index, String text, String finishReason, String requestId);

    /** The chunk after every choice's, with the usage of them all (when the client asked for it). */
    Object usage(Usage usage, String requestId);

    /** A finished choice in a whole response; {@code text} is its final visible text. */
    C choice(int index, String text, Generation generation, String finishReason, String requestId);

    /** The whole response; {@code requestId} is the first choice's. */
    Object response(List<C> choices, Usage usage, String requestId);
}
