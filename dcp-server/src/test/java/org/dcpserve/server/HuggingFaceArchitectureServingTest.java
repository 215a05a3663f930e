package org.dcpserve.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.dcpserve.core.importer.HfLlamaArchitectures;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter.Spec;
import org.dcpserve.core.importer.HfLlamaReference;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.dcpserve.core.tokenizer.SentencePieceTokenizerWriter;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Each Llama-family architecture's checkpoint (written in Hugging Face's layout with random weights, beside a small
 * SentencePiece-style tokenizer.json that fits its vocabulary), served for real from its directory: greedy
 * {@code /generate} returns the ids of a forward pass written from Hugging Face's equations ({@link HfLlamaReference})
 * on the prompt ids the service fed, with their log-probabilities, and the tokenizer's text of them. One subclass per
 * architecture, since the model a service runs is fixed when its context starts.
 */
abstract class HuggingFaceArchitectureServingTest extends RunningServiceTest {

    private static final String PROMPT = "the theme of the hat";
    private static final int NEW_TOKENS = 12;
    /**
     * The bar the engine's logits meet against the reference (HuggingFaceLlamaImporterTest), applied to what HTTP
     * shows of them, log-probabilities; served ones were within 1.1e-5 when this was written.
     */
    private static final double LOGPROB_TOLERANCE = 1e-4;
    private static final long SEED = 29;

    /** An architecture's checkpoint as this test serves it: its shape, its directory, and the dtype it stores. */
    enum Checkpoint {
        LLAMA(HfLlamaArchitectures.LLAMA, "float32"),
        MISTRAL(HfLlamaArchitectures.MISTRAL, "float16"),
        QWEN2(HfLlamaArchitectures.QWEN2, "bfloat16"),
        QWEN3(HfLlamaArchitectures.QWEN3, "float32");

        /** The architecture's shape with as many embedding rows as the tokenizer has ids. */
        final Spec spec;
        final String dtype;
        private Map<String, FloatTensor> tensors;
        private Path dir;

        Checkpoint(Spec spec, String dtype) {
            this.spec = spec.withVocab(SentencePieceTokenizerWriter.VOCAB);
            this.dtype = dtype;
        }

        /** Writes the directory on first use (the service's properties and the test both ask). */
        synchronized Path dir() {
            if (dir == null) {
                try {
                    Path root = Files.createDirectories(Path.of("target", "test-models").toAbsolutePath());
                    Path written = Files.createTempDirectory(root, name().toLowerCase() + "-");
                    tensors = HfLlamaCheckpointWriter.write(written, spec, SEED);
                    SentencePieceTokenizerWriter.write(written);
                    dir = written;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return dir;
        }

        synchronized HfLlamaReference reference() {
            dir();
            return new HfLlamaReference(spec, tensors);
        }
    }

    private final Checkpoint checkpoint;

    HuggingFaceArchitectureServingTest(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** Serves {@code checkpoint}'s directory on a fresh H2 file; each subclass's property source calls this. */
    static void serve(DynamicPropertyRegistry registry, Checkpoint checkpoint) {
        registry.add("dcp.model", () -> checkpoint.dir().toString());
        registry.add("spring.datasource.url", () -> TestDatabases.freshH2File("architecture-" + checkpoint.name().toLowerCase()));
    }

    @Test
    void greedyGenerateReturnsTheReferencesIdsLogprobsAndText() throws IOException {
        HttpResponse<String> response = http.postJson("/generate", """
                {"inputs": "%s", "parameters": {"do_sample": false, "max_new_tokens": %d, "details": true,
                 "decoder_input_details": true}}""".formatted(PROMPT, NEW_TOKENS));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = HttpClientSupport.json(response);
        JsonNode details = body.get("details");
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(checkpoint.dir());

        int[] prompt = ids(details.get("prefill"));
        int[] expectedPrompt = tokenizer.encode(PROMPT);
        if (!checkpoint.spec.architecture().startsWith("Qwen")) {                // Qwen's tokenizers prepend no BOS
            expectedPrompt = IntStream.concat(IntStream.of(SentencePieceTokenizerWriter.BOS), Arrays.stream(expectedPrompt)).toArray();
        }
        assertThat(prompt).as("prompt ids fed").containsExactly(expectedPrompt);

        List<Integer> expectedIds = new ArrayList<>();
        List<Double> generatedLogprobs = new ArrayList<>();
        greedy(checkpoint.reference(), prompt, expectedIds, generatedLogprobs);
        int[] generated = ids(details.get("tokens"));
        assertThat(generated).as("greedy ids").containsExactly(expectedIds.stream().mapToInt(Integer::intValue).toArray());
        List<Double> expectedLogprobs = new ArrayList<>();
        // Every prompt position's logits too, through the log-probability of the token that follows it (a tied head
        // repeats the last prompt token greedily, so the generated ids alone would not tell positions apart).
        double[][] promptLogits = checkpoint.reference().logits(prompt);                  // [prompt][vocab]
        List<Double> served = new ArrayList<>();
        for (int i = 1; i < prompt.length; i++) {
            served.add(details.get("prefill").get(i).get("logprob").asDouble());
            expectedLogprobs.add(logSoftmax(promptLogits[i - 1], prompt[i]));
        }
        details.get("tokens").forEach(token -> served.add(token.get("logprob").asDouble()));
        expectedLogprobs.addAll(generatedLogprobs);
        double maxDiff = IntStream.range(0, served.size())
                .mapToDouble(i -> Math.abs(served.get(i) - expectedLogprobs.get(i))).max().orElseThrow();
        System.out.printf("%s: prompt %s, greedy %s, max |served - reference logprob| = %.3g over %d tokens%n",
                checkpoint, Arrays.toString(prompt), Arrays.toString(generated), maxDiff, served.size());
        assertThat(maxDiff).as("max |served - reference logprob|").isLessThanOrEqualTo(LOGPROB_TOLERANCE);
        assertThat(body.get("generated_text").asString()).isEqualTo(textAfter(tokenizer, prompt, generated));

        assertThat(http.json200("/info").get("model_dtype").asString()).isEqualTo(checkpoint.dtype);
    }

    /**
     * Greedy decoding on the reference: up to {@link #NEW_TOKENS} ids, ending after the end id as the service does;
     * adds each id and its log-probability.
     */
    private static void greedy(HfLlamaReference reference, int[] prompt, List<Integer> ids, List<Double> logprobs) {
        int[] sequence = prompt;
        while (ids.size() < NEW_TOKENS && !ids.contains(SentencePieceTokenizerWriter.EOS)) {
            double[][] logits = reference.logits(sequence);
            double[] last = logits[logits.length - 1];                          // [vocab]
            int best = 0;
            for (int v = 1; v < last.length; v++) {
                best = last[v] > last[best] ? v : best;
            }
            ids.add(best);
            logprobs.add(logSoftmax(last, best));
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = best;
        }
    }

    /** log_softmax(logits)[id]. */
    private static double logSoftmax(double[] logits, int id) {
        double max = Arrays.stream(logits).max().orElseThrow();
        return logits[id] - max - Math.log(Arrays.stream(logits).map(x -> Math.exp(x - max)).sum());
    }

    /**
     * The tokenizer's text of {@code generated} as it continues {@code prompt} (decoded together, so a
     * SentencePiece decoder keeps the space it strips at the start of a text), less the bytes of a character that
     * generation ended before completing, which the service does not count as text.
     */
    private static String textAfter(HuggingFaceTokenizer tokenizer, int[] prompt, int[] generated) {
        String all = tokenizer.decode(IntStream.concat(Arrays.stream(prompt), Arrays.stream(generated)).toArray());
        String text = all.substring(tokenizer.decode(prompt).length());
        return text.replaceAll("\uFFFD+$", "");
    }

    private static int[] ids(JsonNode tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i).get("id").asInt();
        }
        return ids;
    }
}
