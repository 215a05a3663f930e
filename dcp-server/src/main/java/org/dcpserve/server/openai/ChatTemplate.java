package org.dcpserve.server.openai;

import java.util.List;
import java.util.Map;
import org.dcpserve.server.error.Echo;
import org.dcpserve.server.error.InvalidRequestException;

/**
 * The chat template: our models are base models, trained on plain text without chat tokens, so a conversation
 * becomes a plain-text transcript the model continues:
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
final class ChatTemplate {

    static final String DESCRIPTION = "Messages become the transcript \"{system}\\n\\nUser: {content}\\nAssistant:"
            + " {content}\\n...Assistant:\" which the model continues; \"\\nUser:\" and \"\\nAssistant:\" end the"
            + " reply (cut from it) and its leading whitespace is dropped.";

    static final List<String> STOPS = List.of("\nUser:", "\nAssistant:");

    private ChatTemplate() {
    }

    static String render(List<ChatCompletionRequest.Message> messages) {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            String content = content(m.content(), i);
            switch (m.role()) {
                case "system", "developer" -> prompt.append(content).append("\n\n");
                case "user" -> prompt.append("User: ").append(content).append('\n');
                case "assistant" -> prompt.append("Assistant: ").append(content).append('\n');
                default -> throw new InvalidRequestException("messages[" + i + "].role", "must be system,"
                        + " developer, user or assistant (got " + Echo.prefix(m.role()) + "); tools are not supported");
            }
        }
        return prompt.append("Assistant:").toString();
    }

    /** A message's text: a string, or the concatenated text parts of an array. */
    private static String content(Object content, int index) {
        if (content instanceof String text) {
            return text;
        }
        if (content instanceof List<?> parts) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
                if (part instanceof Map<?, ?> map && "text".equals(map.get("type")) && map.get("text") instanceof String t) {
                    text.append(t);
                } else {
                    throw new InvalidRequestException("messages[" + index + "].content", "parts must be"
                            + " {\"type\": \"text\", \"text\": \"...\"}: this model reads text only");
                }
            }
            return text.toString();
        }
        throw new InvalidRequestException("messages[" + index + "].content", "must be a string or an array of text"
                + " parts");
    }
}
