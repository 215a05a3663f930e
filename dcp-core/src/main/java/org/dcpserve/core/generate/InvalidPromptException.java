package org.dcpserve.core.generate;

import java.util.function.Function;

/** A request the model cannot serve as asked; the message says which field to change and how. */
public final class InvalidPromptException extends UnservableRequestException {

    private final Function<Function<RequestField, String>, String> wording;

    private InvalidPromptException(RequestField field, Function<Function<RequestField, String>, String> wording) {
        super(field);
        this.wording = wording;
    }

    static InvalidPromptException maxNewTokensPastContext(int maxNewTokens, int contextLength) {
        return new InvalidPromptException(RequestField.MAX_NEW_TOKENS,
                names -> names.apply(RequestField.MAX_NEW_TOKENS) + " is " + maxNewTokens
                        + " but the model's context length is " + contextLength
                        + "; ask for at most " + (contextLength - 1) + " new tokens");
    }

    static InvalidPromptException emptyPrompt() {
        return new InvalidPromptException(RequestField.PROMPT,
                names -> "the prompt encodes to no tokens; give some text in '"
                        + names.apply(RequestField.PROMPT) + "'");
    }

    /** {@code tokens} is a count or a bound ("at least 900") of the prompt's tokens. */
    static InvalidPromptException promptTooLong(String tokens, int maxNewTokens, int contextLength) {
        return new InvalidPromptException(RequestField.PROMPT, names -> {
            String maxNew = names.apply(RequestField.MAX_NEW_TOKENS);
            String truncate = names.apply(RequestField.TRUNCATE);
            return "the prompt has " + tokens + " tokens and " + maxNew + " is " + maxNewTokens
                    + ", together more than the model's context length of " + contextLength + "; shorten the prompt"
                    + (truncate == null ? " or lower " + maxNew : ", lower " + maxNew + ", or set " + truncate);
        });
    }

    static InvalidPromptException noGatesToPrune() {
        return new InvalidPromptException(RequestField.PRUNING, names -> "this model has no DCP gates, so it cannot"
                + " prune; leave '" + names.apply(RequestField.PRUNING) + "' out or serve a model fine-tuned with DCP");
    }

    @Override
    public String message(Function<RequestField, String> names) {
        return wording.apply(names);
    }
}
