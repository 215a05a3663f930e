package org.dcpserve.server.openai;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.server.openai.OpenAiResponses.ChatLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.CompletionLogprobs;
import org.dcpserve.server.openai.OpenAiResponses.TokenLogprob;
import org.dcpserve.server.openai.OpenAiResponses.TopLogprob;

/** Generated tokens' log-probabilities in OpenAI's two shapes: legacy completions' parallel lists, and chat's. */
final class LogprobFormatter {

    private LogprobFormatter() {
    }

    /** Tokens a client sees: the end-of-text token is not text. */
    static List<GeneratedToken> visible(List<GeneratedToken> tokens) {
        return tokens.stream().filter(t -> !t.special()).toList();
    }

    /** @param offset characters of the choice's text before the first token (the prompt, when echoed) */
    static CompletionLogprobs completion(List<GeneratedToken> tokens, int offset) {
        List<String> texts = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<Map<String, Float>> top = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (GeneratedToken t : tokens) {
            texts.add(t.text());
            logprobs.add(t.logprob());
            // Keyed by text, as OpenAI's are: of two alternatives with the same text (other ids), the first stays.
            Map<String, Float> alternatives = new LinkedHashMap<>();
            t.topTokens().forEach(a -> alternatives.putIfAbsent(a.text(), a.logprob()));
            top.add(alternatives);
            offsets.add(offset);
            offset += t.text().length();
        }
        return new CompletionLogprobs(texts, logprobs, top, offsets);
    }

    static ChatLogprobs chat(List<GeneratedToken> tokens) {
        return new ChatLogprobs(tokens.stream().map(t -> new TokenLogprob(t.text(), t.logprob(), bytes(t.text()),
                t.topTokens().stream().map(a -> new TopLogprob(a.text(), a.logprob(), bytes(a.text()))).toList()))
                .toList());
    }

    private static List<Integer> bytes(String text) {
        List<Integer> out = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.add(b & 0xFF);
        }
        return out;
    }
}
