package org.dcpserve.server.openai;

/** OpenAI's stream_options: include_usage adds a last chunk with the token counts (and no choices). */
public record StreamOptions(Boolean includeUsage) {

    /** Whether a request's stream_options (null when not given) ask for the usage chunk. */
    static boolean asksForUsage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.includeUsage());
    }
}
