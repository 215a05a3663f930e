package org.dcpserve.server.openai;

/**
 * The generation request's fields as OpenAI's requests name them, for the errors found in the generation request
 * an OpenAI request was mapped to: its parameters stand at the top level, and three have names of their own.
 */
final class OpenAiFieldNames {

    private static final String PARAMETERS = "parameters.";

    private OpenAiFieldNames() {
    }

    /** A field's path in the generation request (inputs, parameters.max_new_tokens) as OpenAI's request has it. */
    static String of(String generationField) {
        return switch (generationField) {
            case "inputs" -> "prompt";
            case "parameters.max_new_tokens" -> "max_tokens";
            case "parameters.top_n_tokens" -> "logprobs";
            default -> generationField.startsWith(PARAMETERS) ? generationField.substring(PARAMETERS.length())
                    : generationField;
        };
    }
}
