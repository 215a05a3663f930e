package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.schedule.SchedulerLimits;
import org.dcpserve.core.schedule.StepScheduler;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * decoder_input_details in the scheduler: a generation that scores its prompt gets, from its own prefill (fed in
 * chunks, beside another sequence), the log-probabilities a separate whole-prompt forward pass gives (within 1e-4),
 * and the same tokens as a generation that does not score it.
 */
class PromptScoringTest {

    private static final double TOLERANCE = 1e-4;
    private static OnnxTransformer model;
    private static TextGenerator generator;

    @BeforeAll
    static void load() {
        float[] beta = new float[2];
        Arrays.fill(beta, 1.2f);
        ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 16, 2, 2, 32,
                Gpt2Tokenizer.VOCAB_SIZE, 64, 1e-5f, 0f,
                new ModelConfig.TokenizerSpec("gpt2", null, Gpt2Tokenizer.EOS_ID), null, null)
                .withDcp(new ModelConfig.DcpSpec(8, beta));
        model = new OnnxTransformer(config, GraphSet.build(config, RandomModels.weights(config, 11)),
                ExecutionProvider.CPU);
        generator = new TextGenerator(model, new Gpt2Tokenizer());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theScoredPrefillGivesWhatASeparateForwardPassGives(boolean pruning) throws Exception {
        GenerationRequest request = new GenerationRequest("The quick brown fox jumps over the lazy dog while the cat"
                + " sleeps on the warm mat", 6, SamplingParams.greedy(), List.of(), null, pruning);
        GenerationRequest other = new GenerationRequest("Another prompt beside it", 9, SamplingParams.greedy(),
                List.of(), null, pruning);
        Generation scored;
        // Seven prompt tokens per step: the scored prompt takes several chunks, the other sequence shares them.
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(4, 8, Long.MAX_VALUE, 7))) {
            var beside = scheduler.submit(generator.decoding(other, TokenListener.NONE));
            scored = scheduler.submit(generator.decoding(request, TokenListener.NONE, true)).result()
                    .get(60, TimeUnit.SECONDS);
            beside.result().get(60, TimeUnit.SECONDS);
        }
        int[] prompt = generator.promptTokens(request);
        assertThat(prompt.length).as("more than two chunks").isGreaterThan(14);
        float[] expected = separatePass(prompt, pruning);
        float[] actual = scored.promptLogprobs();
        assertThat(actual).hasSize(prompt.length);
        assertThat(actual[0]).isNaN();
        for (int i = 1; i < prompt.length; i++) {
            assertThat((double) actual[i]).as("position %d", i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(TOLERANCE));
        }
        Generation unscored = generator.generate(request, TokenListener.NONE);
        assertThat(unscored.promptLogprobs()).isNull();
        assertThat(scored.tokens()).extracting(GeneratedToken::id)
                .isEqualTo(unscored.tokens().stream().map(GeneratedToken::id).toList());
    }

    /** The prompt fed once more on a sequence of its own, every position's logits [T, vocab] at once. */
    private static float[] separatePass(int[] prompt, boolean pruning) {
        int vocab = model.config().vocabSize();
        float[] logits = new Sequence(model, generator.policyFor(pruning)).forwardAll(prompt);
        float[] out = new float[prompt.length];
        for (int i = 1; i < prompt.length; i++) {
            out[i] = logSoftmax(Arrays.copyOfRange(logits, (i - 1) * vocab, i * vocab), prompt[i]);
        }
        return out;
    }

    /** log p(token) of one row [vocab], written out here in double rather than taken from the engine's own. */
    private static float logSoftmax(float[] row, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return (float) (row[token] - max - Math.log(sum));
    }
}
