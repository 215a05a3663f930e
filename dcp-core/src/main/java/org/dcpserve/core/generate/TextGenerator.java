package org.dcpserve.core.generate;

import java.util.Arrays;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.schedule.SequenceTask;
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
     * The prompt's token ids as they will be fed: BOS (if the model uses one) + encoded text, or the request's own
     * {@link GenerationRequest#promptIds() ids}. With {@code truncate}, the last text tokens that fit are kept (BOS
     * stays first); without, a prompt that does not fit is refused. A text far too long for the context is refused
     * or cut before it is encoded.
     */
    public int[] promptTokens(GenerationRequest request) {
        int budget = config.contextLength() - request.maxNewTokens();
        if (budget < 1) {
            throw InvalidPromptException.maxNewTokensPastContext(request.maxNewTokens(), config.contextLength());
        }
        if (request.promptIds() != null) {
            return encodedPrompt(request, budget);
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
            throw InvalidPromptException.emptyPrompt();
        }
        if (text.length > textLimit) {
            if (request.truncate() == null) {
                throw tooLong(Integer.toString(text.length + reserved), request);
            }
            text = Arrays.copyOfRange(text, text.length - textLimit, text.length);
        }
        return bos == null ? text : prepend(bos, text);
    }

    /** The ids the caller encoded, as they are (the last that fit with {@code truncate}), each checked to be an id. */
    private int[] encodedPrompt(GenerationRequest request, int budget) {
        int[] ids = request.promptIds();
        for (int id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary ("
                        + config.vocabSize() + ")");
            }
        }
        int limit = request.truncate() == null ? budget : Math.min(request.truncate(), budget);
        if (ids.length <= limit) {
            return ids.clone();
        }
        if (request.truncate() == null) {
            throw tooLong(Integer.toString(ids.length), request);
        }
        return Arrays.copyOfRange(ids, ids.length - limit, ids.length);
    }

    private InvalidPromptException tooLong(String tokens, GenerationRequest request) {
        return InvalidPromptException.promptTooLong(tokens, request.maxNewTokens(), config.contextLength());
    }

    /** Generates with the policy the request asks for (see {@link #policyFor}). */
    public Generation generate(GenerationRequest request, TokenListener listener) {
        return generate(request, policyFor(request.pruning()), listener);
    }

    /** Generates with an explicit pruning policy, e.g. a sliding window for comparisons. */
    public Generation generate(GenerationRequest request, PruningPolicy policy, TokenListener listener) {
        Decoding decoding = decoding(request, policy, listener);
        Sequence sequence = new Sequence(model, policy);
        decoding.admitted();
        int token = decoding.next(sequence.forward(decoding.prompt()));
        while (token != SequenceTask.END) {
            token = decoding.next(sequence.forward(token));
        }
        return decoding.result(sequence);
    }

    /**
     * A request ready to run, alone or in the step scheduler. Refuses a request the model cannot serve
     * ({@link InvalidPromptException}) here, before it takes a place anywhere.
     */
    public Decoding decoding(GenerationRequest request, PruningPolicy policy, TokenListener listener) {
        return new Decoding(request, promptTokens(request), policy, listener, tokenizer, config, false);
    }

    /** {@link #decoding(GenerationRequest, PruningPolicy, TokenListener)} with the policy the request asks for. */
    public Decoding decoding(GenerationRequest request, TokenListener listener) {
        return decoding(request, listener, false);
    }

    /**
     * {@link #decoding(GenerationRequest, TokenListener)}; with {@code scorePrompt}, in the step scheduler its prefill
     * also gives every prompt token's log-probability after the ones before it ({@link Generation#promptLogprobs},
     * TGI's decoder_input_details): one prefill for both.
     */
    public Decoding decoding(GenerationRequest request, TokenListener listener, boolean scorePrompt) {
        return new Decoding(request, promptTokens(request), policyFor(request.pruning()), listener, tokenizer, config,
                scorePrompt);
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
            throw InvalidPromptException.noGatesToPrune();
        }
        return new DcpGatePolicy(config.dcp());
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
