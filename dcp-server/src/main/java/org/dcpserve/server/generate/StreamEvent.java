package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * One Server-Sent Event of /generate_stream (and POST / with stream: true), as TGI sends them: every event
 * carries its index (from 1), its token, top_tokens, generated_text and details, the last three null until the
 * last event (top_tokens unless asked; details unless asked). Ours: the text the token completed (text_delta)
 * and the request id. An error instead is {@link Error}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@Schema(name = "StreamEvent")
public record StreamEvent(int index, GenerateResponse.Token token, List<GenerateResponse.TopToken> topTokens,
                          String textDelta, String generatedText, String requestId,
                          GenerateResponse.Details details) {

    static StreamEvent token(int index, GenerateResponse.Token token, List<GenerateResponse.TopToken> topTokens,
                             String textDelta, String requestId) {
        return new StreamEvent(index, token, topTokens, textDelta, null, requestId, null);
    }

    /** This token event as the last one of the stream. */
    StreamEvent last(String generatedText, GenerateResponse.Details details) {
        return new StreamEvent(index, token, topTokens, textDelta, generatedText, requestId, details);
    }

    static Error error(String message, String errorType) {
        return new Error(message, errorType);
    }

    /** The last event of a stream that failed, as TGI sends it. */
    @Schema(name = "StreamError")
    public record Error(String error, String errorType) {
    }
}
