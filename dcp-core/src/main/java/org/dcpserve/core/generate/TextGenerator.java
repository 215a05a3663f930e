package org.dcpserve.core.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.tokenizer.Tokenizer;

/** Text in, text out: tokenization, prefill, the decode loop, sampling and stop conditions. */
public final class TextGenerator {

    private final OnnxTransformer model;
    private final Tokenizer tokenizer;
    private final ModelConfig config;

    public TextGenerator(OnnxTransformer model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = model.config();
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The prompt's token ids as they will be fed: BOS (if the model uses one) + encoded text. With
     * {@code truncate}, the last text tokens that fit are kept (BOS stays first); without, a prompt that
     * does not fit is refused. A text far too long for the context is refused or cut before it is encoded.
     */
    public int[] promptTokens(GenerationRequest request) {
        int budget = config.contextLength() - request.maxNewTokens();
        if (budget < 1) {
            throw new InvalidPromptException("max_new_tokens is " + request.maxNewTokens()
                    + " but the model's context length is " + config.contextLength()
                    + "; ask for at most " + (config.contextLength() - 1) + " new tokens");
        }
        Integer bos = config.tokenizer().bosId();
        int reserved = bos == null ? 0 : 1;
        int limit = request.truncate() == null ? budget : Math.min(request.truncate(), budget);
        int textLimit = Math.max(1, limit - reserved);
        String prompt = request.prompt();
        // A token covers at most maxTokenChars() characters: past that many, the text cannot fit.
        long maxChars = (long) (textLimit + 1) * tokenizer.maxTokenChars();
        if (prompt.length() > maxChars) {
            if (request.truncate() == null) {
                throw tooLong("at least " + (prompt.length() / tokenizer.maxTokenChars()), request);
            }
            prompt = prompt.substring(prompt.offsetByCodePoints(prompt.length(), -(int) Math.min(maxChars,
                    prompt.codePointCount(0, prompt.length()))));
        }
        int[] text = tokenizer.encode(prompt);
        if (text.length == 0) {
            throw new InvalidPromptException("the prompt encodes to no tokens; give some text in 'inputs'");
        }
        if (text.length > textLimit) {
            if (request.truncate() == null) {
                throw tooLong(Integer.toString(text.length + reserved), request);
            }
            text = Arrays.copyOfRange(text, text.length - textLimit, text.length);
        }
        return bos == null ? text : prepend(bos, text);
    }

    private InvalidPromptException tooLong(String tokens, GenerationRequest request) {
        return new InvalidPromptException("the prompt has " + tokens + " tokens and max_new_tokens is "
                + request.maxNewTokens() + ", together more than the model's context length of "
                + config.contextLength() + "; shorten the prompt, lower max_new_tokens, or set parameters.truncate");
    }

    /** Generates with the policy the request asks for (see {@link #policyFor}). */
    public Generation generate(GenerationRequest request, TokenListener listener) {
        return generate(request, policyFor(request.pruning()), listener);
    }

    /** Generates with an explicit pruning policy, e.g. a sliding window for comparisons. */
    public Generation generate(GenerationRequest request, PruningPolicy policy, TokenListener listener) {
        int[] prompt = promptTokens(request);
        Sampler sampler = new Sampler(request.sampling(), prompt);
        Sequence sequence = new Sequence(model, policy);
        StopCondition stop = new StopCondition(request.stop());
        List<GeneratedToken> generated = new ArrayList<>();
        int[] all = Arrays.copyOf(prompt, prompt.length + request.maxNewTokens());
        String promptText = tokenizer.decode(prompt);
        String emitted = "";

        long start = System.nanoTime();
        float[] logits = sequence.forward(prompt);
        long prefillNanos = System.nanoTime() - start;
        FinishReason reason = FinishReason.LENGTH;
        String text = "";
        for (int step = 0; step < request.maxNewTokens(); step++) {
            int token = sampler.next(logits);
            int position = prompt.length + step;
            all[position] = token;
            boolean eos = token == config.tokenizer().eosId();
            GeneratedToken generatedToken = new GeneratedToken(token, tokenizer.tokenText(token), position,
                    Sampler.logProbability(logits, token), eos || isBos(token),
                    TopTokens.of(logits, request.topNTokens(), tokenizer, config));
            generated.add(generatedToken);
            if (eos) {
                listener.onToken(generatedToken, "");
                reason = FinishReason.EOS_TOKEN;
                break;
            }
            text = continuation(promptText, Arrays.copyOf(all, position + 1));
            int stopEnd = stop.endOfFirstMatch(text);
            if (stopEnd >= 0) {
                text = text.substring(0, stopEnd);
            }
            String stable = text.endsWith("\uFFFD") ? emitted : text;
            listener.onToken(generatedToken, stable.substring(Math.min(emitted.length(), stable.length())));
            emitted = stable;
            if (stopEnd >= 0) {
                reason = FinishReason.STOP_SEQUENCE;
                break;
            }
            if (step + 1 < request.maxNewTokens()) {
                logits = sequence.forward(token);
            }
        }
        if (text.startsWith(emitted) && text.substring(emitted.length()).chars().allMatch(c -> c == '\uFFFD')) {
            // Bytes of a character that generation ended before completing are not text: the final text is
            // what was streamed.
            text = emitted;
        }
        long decodeNanos = System.nanoTime() - start - prefillNanos;
        return new Generation(text, promptTokens(prompt), generated, reason, request.sampling().seed(),
                new Generation.Timings(prefillNanos, decodeNanos), sequence.report());
    }

    /**
     * The log-probability the model gives every prompt token after the ones before it (NaN for the first),
     * as TGI's decoder_input_details reports them: the prompt is fed once more, on a sequence of its own with
     * the same pruning policy (the gate is deterministic, so its drops and logits are those of the generation).
     */
    public float[] promptLogprobs(GenerationRequest request) {
        int[] prompt = promptTokens(request);
        int vocab = config.vocabSize();
        float[] logits = new Sequence(model, policyFor(request.pruning())).forwardAll(prompt);   // [T, vocab]
        float[] out = new float[prompt.length];
        out[0] = Float.NaN;
        for (int i = 1; i < prompt.length; i++) {
            out[i] = Sampler.logProbability(Arrays.copyOfRange(logits, (i - 1) * vocab, i * vocab), prompt[i]);
        }
        return out;
    }

    /**
     * The policy a request runs with: the model's DCP gate unless pruning is switched off or the model
     * has no gates (a dense model).
     */
    public PruningPolicy policyFor(Boolean pruning) {
        if (Boolean.FALSE.equals(pruning) || (pruning == null && !config.hasDcpGates())) {
            return DensePolicy.INSTANCE;
        }
        if (!config.hasDcpGates()) {
            throw new InvalidPromptException("this model has no DCP gates, so it cannot prune;"
                    + " leave 'pruning' out or serve a model fine-tuned with DCP");
        }
        return new DcpGatePolicy(config.dcp());
    }

    /** Text of the generated part: decoding the whole sequence keeps word-boundary spaces right. */
    private String continuation(String promptText, int[] tokens) {
        String full = tokenizer.decode(tokens);
        return full.startsWith(promptText) ? full.substring(promptText.length())
                : tokenizer.decode(Arrays.copyOfRange(tokens, tokens.length - 1, tokens.length));
    }

    private List<GeneratedToken> promptTokens(int[] prompt) {
        List<GeneratedToken> tokens = new ArrayList<>(prompt.length);
        for (int i = 0; i < prompt.length; i++) {
            tokens.add(new GeneratedToken(prompt[i], tokenizer.tokenText(prompt[i]), i, Float.NaN,
                    isBos(prompt[i]) || prompt[i] == config.tokenizer().eosId()));
        }
        return tokens;
    }

    private boolean isBos(int token) {
        Integer bos = config.tokenizer().bosId();
        return bos != null && bos == token;
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Finds the earliest stop string in the generated text. */
    private record StopCondition(List<String> stops) {

        /** Index just past the first stop string found in {@code text}, or -1. */
        int endOfFirstMatch(String text) {
            int best = -1;
            for (String stop : stops) {
                int at = stop.isEmpty() ? -1 : text.indexOf(stop);
                if (at >= 0 && (best < 0 || at + stop.length() < best)) {
                    best = at + stop.length();
                }
            }
            return best;
        }
    }
}
