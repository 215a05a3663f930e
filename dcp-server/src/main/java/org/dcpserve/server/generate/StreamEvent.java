package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One Server-Sent Event of /generate_stream: a token with the text it completes, or the final event
 * with the whole text, the request id and the details, or an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StreamEvent(GenerateResponse.Token token, String textDelta, String generatedText, String requestId,
                   GenerateResponse.Details details, String error) {

    StreamEvent(GenerateResponse.Token token, String textDelta, String generatedText, String requestId,
                GenerateResponse.Details details) {
        this(token, textDelta, generatedText, requestId, details, null);
    }

    static StreamEvent error(String message) {
        return new StreamEvent(null, null, null, null, null, message);
    }
}
