package org.dcpserve.core.generate;

import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.schedule.SequenceTask;
import org.dcpserve.core.tokenizer.Tokenizer;

/**
 * One request's generation, token by token: sampling, the end-of-sequence token, stop strings, streamed
 * text deltas and the outcome. The same object runs a request alone ({@link TextGenerator#generate}) or
 * in the step scheduler's batch; it never sees the model, only the logits of its own sequence.
 */
public final class Decoding implements SequenceTask<Generation> {

    private final GenerationRequest request;
    private final int[] prompt;
    private final PruningPolicy policy;
    private final TokenListener listener;
    private final Tokenizer tokenizer;
    private final ModelConfig config;
    private final Sampler sampler;
    private final TextStream text;
    private final List<String> stops;
    private final int longestStop;
    private final List<GeneratedToken> generated = new ArrayList<>();
    /** Per prompt position, its token's log-probability (NaN for the first); null unless the prompt is scored. */
    private final float[] promptLogprobs;
    private int emitted;
    private FinishReason reason = FinishReason.LENGTH;
    private long start;
    private long prefillNanos = -1;

    Decoding(GenerationRequest request, int[] prompt, PruningPolicy policy, TokenListener listener,
             Tokenizer tokenizer, ModelConfig config, boolean scorePrompt) {
        this.request = request;
        this.prompt = prompt;
        this.policy = policy;
        this.listener = listener;
        this.tokenizer = tokenizer;
        this.config = config;
        this.sampler = new Sampler(request.sampling(), prompt);
        this.text = new TextStream(tokenizer, prompt);
        this.stops = request.stop().stream().filter(stop -> !stop.isEmpty()).toList();
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
        this.start = System.nanoTime();
        if (scorePrompt) {
            promptLogprobs = new float[prompt.length];
            promptLogprobs[0] = Float.NaN;
        } else {
            promptLogprobs = null;
        }
    }

    @Override
    public PruningPolicy policy() {
        return policy;
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int maxLength() {
        return prompt.length + request.maxNewTokens();
    }

    @Override
    public boolean scoresPrompt() {
        return promptLogprobs != null;
    }

    @Override
    public void promptLogits(int from, float[] logits) {
        int vocab = config.vocabSize();
        // Row t [vocab] follows position from + t: it scores the token at from + t + 1 (none after the last).
        for (int t = 0; t < logits.length / vocab && from + t + 1 < prompt.length; t++) {
            promptLogprobs[from + t + 1] = LogSoftmax.ofRow(logits, t * vocab, vocab).logProbability(prompt[from + t + 1]);
        }
    }

    @Override
    public void admitted() {
        start = System.nanoTime();
    }

    /**
     * A model's embedding may have more rows than its tokenizer has tokens (Qwen's are padded: 151,936 rows for
     * 151,669 tokens). The rows past the tokenizer have no text, so they are never picked: their logits are -inf,
     * and the log-probabilities reported are over the tokens that exist.
     */
    private void maskIdsWithoutText(float[] logits) {
        for (int id = tokenizer.vocabSize(); id < logits.length; id++) {
            logits[id] = Float.NEGATIVE_INFINITY;
        }
    }

    @Override
    public int next(float[] logits) {
        if (prefillNanos < 0) {
            prefillNanos = System.nanoTime() - start;
        }
        maskIdsWithoutText(logits);
        int token = sampler.next(logits);
        int position = prompt.length + generated.size();
        boolean eos = config.tokenizer().isEos(token);
        LogSoftmax softmax = LogSoftmax.of(logits);
        GeneratedToken generatedToken = new GeneratedToken(token, tokenizer.tokenText(token), position,
                softmax.logProbability(token), eos || isBos(token),
                TopTokens.of(logits, softmax, request.topNTokens(), tokenizer, config));
        generated.add(generatedToken);
        if (eos) {
            reason = FinishReason.EOS_TOKEN;
            listener.onLastToken(generatedToken, "");
            return END;
        }
        // Only text that changed can hold a new stop string: what was settled before this token, less a stop's length.
        int searchFrom = Math.max(0, text.settledLength() - longestStop + 1);
        text.append(token);
        int stopEnd = endOfFirstStop(searchFrom);
        if (stopEnd >= 0) {
            text.cut(stopEnd);
            reason = FinishReason.STOP_SEQUENCE;
        }
        int stable = text.endsIncomplete() ? emitted : text.text().length();
        String delta = stable > emitted ? text.text().subSequence(emitted, stable).toString() : "";
        emitted = Math.max(emitted, stable);
        if (stopEnd >= 0 || generated.size() >= request.maxNewTokens()) {
            listener.onLastToken(generatedToken, delta);
            return END;
        }
        listener.onToken(generatedToken, delta);
        return token;
    }

    @Override
    public Generation result(Sequence sequence) {
        long decodeNanos = System.nanoTime() - start - prefillNanos;
        CharSequence all = text.text();
        boolean onlyIncompleteAfterEmitted = all.chars().skip(emitted).allMatch(c -> c == '\uFFFD');
        // Bytes of a character that generation ended before completing are not text: the final text is
        // what was streamed.
        String finalText = onlyIncompleteAfterEmitted ? all.subSequence(0, emitted).toString() : all.toString();
        return new Generation(finalText, promptTokens(), List.copyOf(generated), reason, request.sampling().seed(),
                new Generation.Timings(prefillNanos, decodeNanos), sequence.report(),
                promptLogprobs == null ? null : promptLogprobs.clone());
    }

    /** Index just past the earliest-ending stop string found at or after {@code from}, or -1. */
    private int endOfFirstStop(int from) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at + stop.length() < best)) {
                best = at + stop.length();
            }
        }
        return best;
    }

    private List<GeneratedToken> promptTokens() {
        List<GeneratedToken> tokens = new ArrayList<>(prompt.length);
        for (int i = 0; i < prompt.length; i++) {
            tokens.add(new GeneratedToken(prompt[i], tokenizer.tokenText(prompt[i]), i, Float.NaN,
                    isBos(prompt[i]) || config.tokenizer().isEos(prompt[i])));
        }
        return tokens;
    }

    private boolean isBos(int token) {
        Integer bos = config.tokenizer().bosId();
        return bos != null && bos == token;
    }
}
