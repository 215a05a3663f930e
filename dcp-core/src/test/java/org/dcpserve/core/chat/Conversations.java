package org.dcpserve.core.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The conversations every chat template is rendered with, here and by the reference renderer. */
final class Conversations {

    record Conversation(String label, List<Map<String, Object>> messages, boolean addGenerationPrompt,
            Map<String, Object> variables) {

        /** The same without its system messages, for templates that take none. */
        Conversation withoutSystem() {
            return new Conversation(label + ", system dropped",
                    messages.stream().filter(m -> !"system".equals(m.get("role"))).toList(), addGenerationPrompt, variables);
        }

        Conversation with(String variable, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(variables);
            more.put(variable, value);
            return new Conversation(label + ", " + variable + "=" + value, messages, addGenerationPrompt, more);
        }
    }

    private Conversations() {
    }

    static Map<String, Object> message(String role, Object content) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }

    static List<Map<String, Object>> textParts(String... texts) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (String text : texts) {
            parts.add(new LinkedHashMap<>(Map.of("type", "text", "text", text)));
        }
        return parts;
    }

    @SafeVarargs
    static Conversation conversation(String label, boolean addGenerationPrompt, Map<String, Object>... messages) {
        return new Conversation(label, List.of(messages), addGenerationPrompt, Map.of());
    }

    /** The ones every template gets: the shapes a chat client sends. */
    static List<Conversation> common() {
        return List.of(
                conversation("system and user", true,
                        message("system", "You are a helpful assistant."),
                        message("user", "What is the capital of France?")),
                conversation("multi-turn", true,
                        message("user", "Hi!"),
                        message("assistant", "Hello! How can I help?"),
                        message("user", "Tell me a joke.")),
                conversation("multi-turn with system", true,
                        message("system", "Answer briefly."),
                        message("user", "One?"),
                        message("assistant", "1"),
                        message("user", "Two?"),
                        message("assistant", "2"),
                        message("user", "Three?")),
                conversation("assistant last, no generation prompt", false,
                        message("user", "2+2?"),
                        message("assistant", "4")),
                conversation("user only, no generation prompt", false,
                        message("user", "Just a user turn.")),
                conversation("content as text parts", true,
                        message("system", textParts("Be terse.")),
                        message("user", textParts("Describe ", "this."))),
                conversation("system then two users (roles do not alternate)", true,
                        message("system", "You are strict."),
                        message("user", "First."),
                        message("user", "Second.")),
                conversation("system in the middle", true,
                        message("user", "Hello"),
                        message("system", "Now answer in French.")),
                conversation("unicode and white space", true,
                        message("system", "  Réponds en français 🇫🇷  \n"),
                        message("user", "日本語で答えて\u00a0"),
                        message("assistant", " مرحبا \u2028"),
                        message("user", "emoji 👍🏽, combining e\u0301, quotes \"'\\ and {{ braces }} {% raw %}")));
    }

    /** Qwen3's: reasoning in the history, the thinking switch, tool calls. */
    static List<Conversation> qwen3() {
        Conversation thinking = conversation("thinking in the history", true,
                message("user", "What is 2+2?"),
                message("assistant", "<think>\nSimple arithmetic.\n</think>\n\n2+2 is 4."),
                message("user", "And 3+3?"));
        Map<String, Object> withReasoning = message("assistant", "The answer is 9.");
        withReasoning.put("reasoning_content", "3 squared.");
        Map<String, Object> call = message("assistant", "");
        call.put("tool_calls", List.of(
                Map.of("type", "function", "function", new LinkedHashMap<>(Map.of("name", "get_weather",
                        "arguments", new LinkedHashMap<>(Map.of("city", "Paris", "unit", "celsius"))))),
                Map.of("function", Map.of("name", "get_time", "arguments", "{\"tz\": \"CET\"}"))));
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", new LinkedHashMap<>(Map.of("name", "get_weather", "description", "The weather in a city",
                "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))))));
        List<Conversation> all = new ArrayList<>(List.of(
                thinking,
                thinking.with("enable_thinking", false),
                thinking.with("enable_thinking", true),
                conversation("thinking in the last assistant turn", false,
                        message("user", "Why?"),
                        message("assistant", "<think>\n\nBecause.\n\n</think>\n\nIt is so.")),
                conversation("reasoning_content field", true,
                        message("user", "3 squared?"), withReasoning, message("user", "Thanks")),
                new Conversation("tool calls and responses", List.of(
                        message("system", "Use tools."),
                        message("user", "Weather and time in Paris?"),
                        call,
                        message("tool", "{\"temp\": 21}"),
                        message("tool", "12:00"),
                        message("assistant", "It is 21°C at 12:00."),
                        message("user", "<tool_response>not really</tool_response>")),
                        true, Map.of("tools", List.of(tool)))));
        all.add(conversation("no generation prompt with thinking off", false,
                message("user", "Hi")).with("enable_thinking", false));
        return all;
    }

    /** For templates without a system role: the common ones, and those that had a system message without it. */
    static List<Conversation> withoutSystem() {
        List<Conversation> all = new ArrayList<>(common());
        for (Conversation c : common()) {
            if (c.messages().stream().anyMatch(m -> "system".equals(m.get("role")))) {
                all.add(c.withoutSystem());
            }
        }
        return all;
    }

    /** A Mistral-7B-Instruct style template (Apache-2.0): user/assistant only, strictly alternating. */
    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
            + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";
}
