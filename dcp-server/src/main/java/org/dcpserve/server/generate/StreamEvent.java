package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * One Server-Sent Event of /generate_stream (and POST / with stream: true), as TGI sends them: every event
 * carries its token (index counts from 1); the last one also the whole text and, when asked, the details.
 * Ours: the text the token completed (text_delta) and the request id. An error instead is {error, error_type}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "StreamEvent")
public record StreamEvent(Integer index, GenerateResponse.Token token, List<GenerateResponse.TopToken> topTokens,
                          String textDelta, String generatedText, String requestId,
                          GenerateResponse.Details details, String error, String errorType) {

    static StreamEvent token(int index, GenerateResponse.Token token, List<GenerateResponse.TopToken> topTokens,
                             String textDelta, String requestId) {
        return new StreamEvent(index, token, topTokens, textDelta, null, requestId, null, null, null);
    }

    /** This token event as the last one of the stream. */
    StreamEvent last(String generatedText, GenerateResponse.Details details) {
        return new StreamEvent(index, token, topTokens, textDelta, generatedText, requestId, details, null, null);
    }

    static StreamEvent error(String message, String errorType) {
        return new StreamEvent(null, null, null, null, null, null, null, message, errorType);
    }
}
