package org.dcpserve.server.openai;

import java.util.Map;
import org.dcpserve.server.generate.UnsupportedParameterException;

/**
 * The OpenAI fields this server reads but cannot honour with the value given: each is a 422 with code
 * unsupported_parameter naming the field, before anything is generated. Their defaults (null, empty) pass.
 */
final class RequestRefusals {

    private RequestRefusals() {
    }

    static void refuseUnsupported(CompletionRequest r) {
        if (r.bestOf() != null && r.bestOf() > 1) {
            throw new UnsupportedParameterException("best_of", "best_of " + r.bestOf() + " is not supported; use n");
        }
        refuseNonEmpty(r.logitBias(), "logit_bias");
        if (r.suffix() != null) {
            throw new UnsupportedParameterException("suffix", "suffix (insertion) is not supported; leave it out");
        }
    }

    static void refuseUnsupported(ChatCompletionRequest r) {
        refuseNonEmpty(r.logitBias(), "logit_bias");
        if (r.responseFormat() != null && !"text".equals(r.responseFormat().get("type"))) {
            throw new UnsupportedParameterException("response_format", "response_format "
                    + r.responseFormat().get("type") + " is not supported; only text");
        }
        if (r.tools() != null && !r.tools().isEmpty()) {
            throw new UnsupportedParameterException("tools", "tools (function calling) are not supported");
        }
        if (r.toolChoice() != null && !"none".equals(r.toolChoice())) {
            throw new UnsupportedParameterException("tool_choice", "tool_choice is not supported; leave it out");
        }
    }

    private static void refuseNonEmpty(Map<String, Object> value, String name) {
        if (value != null && !value.isEmpty()) {
            throw new UnsupportedParameterException(name, name + " is not supported; leave it out");
        }
    }
}
