package org.dcpserve.server.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.chat.ChatTemplate;
import org.dcpserve.core.chat.jinja.TemplateException;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.dcpserve.server.error.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The prompt of a chat request. A model with its own chat template (and a Hugging Face tokenizer) gets what
 * transformers' {@code apply_chat_template(messages, add_generation_prompt=True, tokenize=True)} gives: the template
 * rendered with the messages and the tokenizer's {@code bos_token}/{@code eos_token}, encoded with the special tokens
 * in it parsed and none added (a template that wants BOS writes it, so there is never a second one); its replies end
 * at the model's end-of-turn token. Any other model gets the {@link PlainTranscript}.
 */
@Component
class ChatPrompts {

    private static final Logger log = LoggerFactory.getLogger(ChatPrompts.class);

    static final String DESCRIPTION = "Messages are rendered with the model's own chat template"
            + " (tokenizer_config.json's chat_template or chat_template.jinja, with add_generation_prompt and the"
            + " tokenizer's special tokens) and encoded as apply_chat_template does; a model without one gets "
            + PlainTranscript.DESCRIPTION;

    /**
     * A conversation as the model reads it.
     *
     * @param text      the prompt text (stored as the trace's prompt)
     * @param ids       its tokens when the template's special tokens were parsed; null: {@code text} is encoded as
     *                  any prompt
     * @param stops     stop sequences the prompt adds to the request's own
     * @param trimsLeadingWhitespace whether the reply's leading whitespace is dropped
     */
    record ChatPrompt(String text, int[] ids, List<String> stops, boolean trimsLeadingWhitespace) {
    }

    private final ChatTemplate template;
    private final HuggingFaceTokenizer tokenizer;

    ChatPrompts(ModelSource source) {
        boolean usable = source.chatTemplate() != null && source.tokenizer() instanceof HuggingFaceTokenizer;
        if (source.chatTemplate() != null && !usable) {
            log.warn("{} has a chat template but no Hugging Face tokenizer.json to parse its special tokens: chat"
                    + " requests use the plain transcript", source.name());
        }
        this.template = usable ? source.chatTemplate() : null;
        this.tokenizer = usable ? (HuggingFaceTokenizer) source.tokenizer() : null;
    }

    /**
     * @throws InvalidRequestException (422) for a message this server cannot read, or a conversation the template
     *                                 refuses ({@code raise_exception}: its message) or cannot render
     */
    ChatPrompt of(List<ChatCompletionRequest.Message> messages) {
        if (template == null) {
            return new ChatPrompt(PlainTranscript.render(messages), null, PlainTranscript.STOPS, true);
        }
        String text = render(messages);
        return new ChatPrompt(text, tokenizer.encodeWithSpecialTokens(text), List.of(), false);
    }

    private String render(List<ChatCompletionRequest.Message> messages) {
        List<Map<String, Object>> conversation = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message m = messages.get(i);
            Map<String, Object> message = new LinkedHashMap<>();
            String content = m.text(i);
            message.put("role", m.checkedRole(i));
            message.put("content", content);
            conversation.add(message);
        }
        try {
            return template.render(conversation, true, Map.of());
        } catch (TemplateException e) {
            // The template's own words (raise_exception), e.g. "Conversation roles must alternate user/assistant/...".
            throw InvalidRequestException.of(List.of(new InvalidRequestException.Violation("messages",
                    name -> "the model's chat template refused the " + name + ": " + e.getMessage())));
        }
    }
}
