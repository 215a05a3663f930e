package org.dcpserve.server.openai;

/** OpenAI's stream_options: include_usage adds a last chunk with the token counts (and no choices). */
public record StreamOptions(Boolean includeUsage) {
}
