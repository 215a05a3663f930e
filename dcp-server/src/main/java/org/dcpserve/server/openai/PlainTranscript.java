package org.dcpserve.server.openai;

import java.util.List;

/**
 * The chat template of a model without one of its own (a base model, trained on plain text without chat tokens):
 * a conversation becomes a plain-text transcript the model continues:
 *
 * <pre>
 * {system message}\n\n            (each system or developer message, in order)
 * User: {content}\n               (each user message)
 * Assistant: {content}\n          (each earlier assistant message)
 * Assistant:                      (the model writes from here)
 * </pre>
 *
 * Generation also stops at "\nUser:" and "\nAssistant:" (the model starting the next turn), which are cut from the
 * reply like any stop sequence, and the reply's leading whitespace is dropped.
 */
final class PlainTranscript {

    static final String DESCRIPTION = "the transcript \"{system}\\n\\nUser: {content}\\nAssistant:"
            + " {content}\\n...Assistant:\", which the model continues; \"\\nUser:\" and \"\\nAssistant:\" end the"
            + " reply (cut from it) and its leading whitespace is dropped.";

    static final List<String> STOPS = List.of("\nUser:", "\nAssistant:");

    private PlainTranscript() {
    }

    static String render(List<ChatCompletionRequest.Message> messages) {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            String content = m.text(i);
            switch (m.checkedRole(i)) {
                case "system", "developer" -> prompt.append(content).append("\n\n");
                case "user" -> prompt.append("User: ").append(content).append('\n');
                default -> prompt.append("Assistant: ").append(content).append('\n');
            }
        }
        return prompt.append("Assistant:").toString();
    }
}
