package org.dcpserve.core.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.dcpserve.core.chat.jinja.TemplateException;
import org.dcpserve.core.chat.jinja.TemplateRaisedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dcpserve.core.chat.Conversations.message;
import static org.dcpserve.core.chat.Conversations.textParts;

/** Finding a model's chat template and rendering conversations with it; no reference renderer needed. */
class ChatTemplateTest {

    private static final String TURNS = "{{ bos_token }}{% for m in messages %}<{{ m.role }}>"
            + "{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endif %}"
            + "{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

    @Test
    void rendersAConversationWithTheTokenizersSpecialTokens() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("chat_template", TURNS);
        config.put("bos_token", Map.of("__type", "AddedToken", "content", "<s>", "lstrip", false));
        config.put("eos_token", "</s>");
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config, ChatTemplate.DEFAULT);

        assertThat(template.specialToken("bos_token")).isEqualTo("<s>");
        assertThat(template.specialToken("pad_token")).isNull();
        assertThat(template.render(List.of(message("system", "Be brief."), message("user", textParts("Hi ", "there"))),
                true, Map.of())).isEqualTo("<s><system>Be brief.</s><user>Hi there</s><assistant>");
        assertThat(template.render(List.of(message("user", "Q"), message("assistant", "A")), false, Map.of()))
                .isEqualTo("<s><user>Q</s><assistant>A</s>");
    }

    @Test
    void toolsAndDocumentsAreNoneUnlessGivenAndVariablesReachTheTemplate() {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(Map.of("chat_template",
                "{{ tools is none }} {{ documents is none }} {{ enable_thinking is defined }} {{ date_string }}"),
                ChatTemplate.DEFAULT);
        assertThat(template.render(List.of(), false, Map.of())).isEqualTo("true true false ");
        assertThat(template.render(List.of(), false, Map.of("tools", List.of(), "enable_thinking", false,
                "date_string", "26 Jul 2024"))).isEqualTo("false true true 26 Jul 2024");
    }

    @Test
    void namedTemplatesUseDefaultUnlessAnotherIsAskedFor() {
        Map<String, Object> config = Map.of("chat_template", List.of(
                Map.of("name", "default", "template", "plain"),
                Map.of("name", "tool_use", "template", "with tools")));
        assertThat(ChatTemplate.fromTokenizerConfig(config, ChatTemplate.DEFAULT).render(List.of(), true, Map.of()))
                .isEqualTo("plain");
        assertThat(ChatTemplate.fromTokenizerConfig(config, "tool_use").render(List.of(), true, Map.of()))
                .isEqualTo("with tools");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(config, "rag"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The model has no chat template named 'rag'; it has default, tool_use");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(Map.of("chat_template", "x"), "tool_use"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(Map.of("bos_token", "<s>"), ChatTemplate.DEFAULT))
                .hasMessage("The model has no chat_template");
    }

    @Test
    void aDirectoryWithoutATemplateHasNone(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplate.find(dir)).isEmpty();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|endoftext|>\"}"); // GPT-2's, no template
        assertThat(ChatTemplate.find(dir)).isEmpty();
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}");
        assertThat(ChatTemplate.find(dir)).get().extracting(t -> t.render(List.of(Map.of("content", "hi")), false, Map.of()))
                .isEqualTo("hi");
    }

    @Test
    void loadsFromAModelDirectoryPreferringTheJinjaFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": \"from config {{ eos_token }}\", \"eos_token\": \"<|end|>\", \"bos_token\": null}");
        assertThat(ChatTemplate.load(dir).render(List.of(), false, Map.of())).isEqualTo("from config <|end|>");
        Files.writeString(dir.resolve("chat_template.jinja"), "from file {{ eos_token }}\n");
        assertThat(ChatTemplate.load(dir).render(List.of(), false, Map.of())).isEqualTo("from file <|end|>");
        assertThat(ChatTemplate.load(dir).specialToken("bos_token")).isNull();
        Files.createDirectories(dir.resolve("additional_chat_templates"));
        Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"), "tools {{ tools is none }}");
        assertThat(ChatTemplate.load(dir, "tool_use").render(List.of(), false, Map.of())).isEqualTo("tools true");
        assertThatThrownBy(() -> ChatTemplate.load(dir, "../tokenizer_config")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConversationTheTemplateRefusesRaisesItsMessage() {
        ChatTemplate mistral = ChatTemplate.fromTokenizerConfig(
                Map.of("chat_template", Conversations.MISTRAL, "bos_token", "<s>", "eos_token", "</s>"), ChatTemplate.DEFAULT);
        assertThat(mistral.render(List.of(message("user", "Hi"), message("assistant", "Hello"), message("user", "Bye")),
                false, Map.of())).isEqualTo("<s>[INST] Hi [/INST]Hello</s>[INST] Bye [/INST]");
        assertThatThrownBy(() -> mistral.render(List.of(message("system", "S"), message("user", "Hi")), true, Map.of()))
                .isInstanceOf(TemplateRaisedException.class)
                .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void aTemplateThatDoesNotParseIsRefusedWhenLoaded() {
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(Map.of("chat_template", "{% if %}"), ChatTemplate.DEFAULT))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("line 1");
    }
}
