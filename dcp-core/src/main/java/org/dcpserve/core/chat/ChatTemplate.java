package org.dcpserve.core.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.dcpserve.core.chat.jinja.Template;
import org.dcpserve.core.chat.jinja.TemplateException;
import org.dcpserve.core.chat.jinja.TemplateRaisedException;


/**
 * A Hugging Face model's chat template: turns a conversation into the prompt text the model was trained on, as
 * transformers.js renders it. The template comes from {@code tokenizer_config.json}'s {@code chat_template}
 * (a string, or a list of {@code {name, template}} of which {@code default} is used unless another name is asked
 * for), or from the files that recent transformers versions write instead and prefer: {@code chat_template.jinja}
 * for the default, {@code additional_chat_templates/<name>.jinja} for the others.
 */
public final class ChatTemplate {

    public static final String DEFAULT = "default";

    /** The special tokens transformers(.js) hands every template, when the tokenizer has them. */
    private static final List<String> SPECIAL_TOKENS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private final Template template;
    private final Map<String, String> specialTokens;

    private ChatTemplate(Template template, Map<String, String> specialTokens) {
        this.template = template;
        this.specialTokens = specialTokens;
    }

    /** The default template of the model directory {@code dir}. */
    public static ChatTemplate load(Path dir) {
        return load(dir, DEFAULT);
    }

    /**
     * The default template of the model directory {@code dir}, or empty when it has none: neither
     * {@code chat_template.jinja} nor a {@code chat_template} in {@code tokenizer_config.json} (a base model's).
     *
     * @throws TemplateException if the template does not parse
     */
    public static Optional<ChatTemplate> find(Path dir) {
        Path config = dir.resolve("tokenizer_config.json");
        boolean hasTemplate = Files.isRegularFile(dir.resolve("chat_template.jinja"))
                || Files.isRegularFile(config) && ModelJson.read(config).get("chat_template") != null;
        return hasTemplate ? Optional.of(load(dir)) : Optional.empty();
    }

    /**
     * The template named {@code name} (for example {@code tool_use}) of the model directory {@code dir}.
     *
     * @throws IllegalArgumentException if the model has no such template
     * @throws TemplateException if the template does not parse
     */
    public static ChatTemplate load(Path dir, String name) {
        if (!name.matches("[A-Za-z0-9_.-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("Not a chat template name: '" + name + "'");
        }
        Map<String, Object> config = ModelJson.read(dir.resolve("tokenizer_config.json"));
        Path file = name.equals(DEFAULT) ? dir.resolve("chat_template.jinja")
                : dir.resolve("additional_chat_templates").resolve(name + ".jinja");
        if (!Files.isRegularFile(file)) {
            return fromTokenizerConfig(config, name);
        }
        try {
            return new ChatTemplate(Template.compile(Files.readString(file)), specialTokens(config));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** The template named {@code name} of a parsed {@code tokenizer_config.json}. */
    public static ChatTemplate fromTokenizerConfig(Map<String, ?> config, String name) {
        return new ChatTemplate(Template.compile(templateSource(config.get("chat_template"), name)), specialTokens(config));
    }

    private static String templateSource(Object chatTemplate, String name) {
        if (chatTemplate instanceof String source) {
            if (!name.equals(DEFAULT)) {
                throw new IllegalArgumentException("The model has one chat template, not one named '" + name + "'");
            }
            return source;
        }
        if (chatTemplate instanceof List<?> named) {
            Map<String, String> byName = new LinkedHashMap<>();
            for (Object entry : named) {
                if (entry instanceof Map<?, ?> map && map.get("name") instanceof String n && map.get("template") instanceof String t) {
                    byName.put(n, t);
                } else {
                    throw new IllegalArgumentException("A chat_template list holds {name, template} objects, not " + entry);
                }
            }
            String source = byName.get(name);
            if (source == null) {
                throw new IllegalArgumentException("The model has no chat template named '" + name + "'; it has "
                        + String.join(", ", byName.keySet()));
            }
            return source;
        }
        throw new IllegalArgumentException(chatTemplate == null ? "The model has no chat_template"
                : "chat_template is neither a string nor a list of named templates");
    }

    /** A token is a string, or an AddedToken object {@code {"content": "<s>", ...}}. */
    private static Map<String, String> specialTokens(Map<String, ?> config) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKENS) {
            Object token = config.get(key);
            if (token instanceof Map<?, ?> added) {
                token = added.get("content");
            }
            if (token instanceof String text) {
                tokens.put(key, text);
            }
        }
        return tokens;
    }

    /** The token {@code bos_token}, {@code eos_token}, ... as the template sees it; null if the tokenizer has none. */
    public String specialToken(String name) {
        return specialTokens.get(name);
    }

    /**
     * The prompt for a conversation.
     *
     * @param messages maps with {@code role} and {@code content} (a string, or a list of parts such as
     *                 {@code {"type": "text", "text": "..."}}), and whatever else the template reads
     *                 ({@code tool_calls}, {@code reasoning_content}, ...)
     * @param addGenerationPrompt whether to end with the opening of the assistant's turn
     * @param variables further variables the template reads ({@code tools}, {@code enable_thinking},
     *                  {@code date_string}, ...); they override the defaults
     * @throws TemplateRaisedException if the template rejects the conversation; its message is the template's own
     * @throws TemplateException if the template fails otherwise
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        return template.render(variables(messages, addGenerationPrompt, variables));
    }

    /** What transformers(.js) passes: the conversation, the flag, {@code tools}/{@code documents} none, the special tokens. */
    Map<String, Object> variables(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("messages", messages);
        all.put("add_generation_prompt", addGenerationPrompt);
        all.put("tools", null);
        all.put("documents", null);
        all.putAll(specialTokens);
        all.putAll(variables);
        return all;
    }
}
