package org.dcpserve.server.generate;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.dcpserve.core.generate.FinishReason;

/** Response of POST /generate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerateResponse(String generatedText, String requestId, Details details) {

    /**
     * @param finishReason    length, eos_token or stop_sequence
     * @param promptTokens    tokens fed as the prompt (BOS included)
     * @param generatedTokens tokens generated (EOS included when it ended the generation)
     * @param seed            sampling seed (null for greedy decoding)
     * @param timings         where the time went
     * @param prefill         the prompt tokens
     * @param tokens          the generated tokens with their log-probabilities
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(FinishReason finishReason, int promptTokens, int generatedTokens, Long seed,
                          Timings timings, List<Token> prefill, List<Token> tokens) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(int id, String text, int position, Float logprob, boolean special) {
    }

    public record Timings(double prefillMs, double decodeMs, double totalMs, double decodeTokensPerSecond) {
    }
}
