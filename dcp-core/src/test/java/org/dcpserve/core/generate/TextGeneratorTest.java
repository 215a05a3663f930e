package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sampling, stop conditions and limits, on a small random GPT-2 with the real GPT-2 tokenizer. */
class TextGeneratorTest {

    private static OnnxTransformer model;
    private static TextGenerator generator;

    @BeforeAll
    static void load() {
        ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 1, 16, 2, 2, 32,
                Gpt2Tokenizer.VOCAB_SIZE, 48, 1e-5f, 0f,
                new ModelConfig.TokenizerSpec("gpt2", null, Gpt2Tokenizer.EOS_ID), null, null);
        model = new OnnxTransformer(config, GraphSet.build(config, RandomModels.weights(config, 5)), ExecutionProvider.CPU);
        generator = new TextGenerator(model, new Gpt2Tokenizer());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Generation generate(String prompt, int tokens, SamplingParams sampling, List<String> stop) {
        return generator.generate(new GenerationRequest(prompt, tokens, sampling, stop, null), TokenListener.NONE);
    }

    @Test
    void promptIdsTheCallerEncodedAreFedAsTheyAre() {
        // "<|endoftext|>" twice: a rendered template may hold special tokens that encode() keeps as text.
        int[] ids = {Gpt2Tokenizer.EOS_ID, 464, 3797, Gpt2Tokenizer.EOS_ID};
        GenerationRequest request = new GenerationRequest("ignored for encoding", 4, SamplingParams.greedy(), List.of(),
                null, null, 0, ids);
        assertThat(generator.promptTokens(request)).containsExactly(ids);
        assertThat(generator.generate(request, TokenListener.NONE).prompt()).extracting(GeneratedToken::id)
                .containsExactly(Gpt2Tokenizer.EOS_ID, 464, 3797, Gpt2Tokenizer.EOS_ID);
        assertThat(generator.promptTokens(new GenerationRequest("", 4, SamplingParams.greedy(), List.of(), 2, null, 0, ids)))
                .containsExactly(3797, Gpt2Tokenizer.EOS_ID);
        assertThatThrownBy(() -> generator.promptTokens(new GenerationRequest("", 46, SamplingParams.greedy(), List.of(),
                null, null, 0, ids))).isInstanceOf(InvalidPromptException.class).hasMessageContaining("context length");
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        SamplingParams hot = new SamplingParams(1.5f, 0, 1f, 1234);
        Generation first = generate("The cat", 16, hot, List.of());
        Generation again = generate("The cat", 16, hot, List.of());
        Generation other = generate("The cat", 16, new SamplingParams(1.5f, 0, 1f, 99), List.of());
        assertThat(again.text()).isEqualTo(first.text());
        assertThat(ids(other)).isNotEqualTo(ids(first));
    }

    @Test
    void topKOfOneAndATinyTopPAreGreedy() {
        List<Integer> greedy = ids(generate("Hello there", 12, SamplingParams.greedy(), List.of()));
        assertThat(ids(generate("Hello there", 12, new SamplingParams(2f, 1, 1f, 7), List.of()))).isEqualTo(greedy);
        assertThat(ids(generate("Hello there", 12, new SamplingParams(2f, 0, 1e-6f, 7), List.of()))).isEqualTo(greedy);
        // A temperature this small overflows float logits; sampling must still pick the most likely token.
        assertThat(ids(generate("Hello there", 12, new SamplingParams(1e-30f, 0, 1f, 7), List.of()))).isEqualTo(greedy);
    }

    @Test
    void aStopStringEndsTheTextRightAfterIt() {
        Generation full = generate("Numbers:", 30, SamplingParams.greedy(), List.of());
        String stop = full.text().substring(5, 7);
        Generation stopped = generate("Numbers:", 30, SamplingParams.greedy(), List.of(stop));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(stopped.text()).endsWith(stop).isEqualTo(full.text().substring(0, full.text().indexOf(stop) + stop.length()));
    }

    @Test
    void streamedDeltasAddUpToTheText() {
        List<String> deltas = new ArrayList<>();
        Generation generation = generator.generate(new GenerationRequest("Once", 20,
                new SamplingParams(1f, 0, 1f, 3), List.of(), null), (token, delta) -> deltas.add(delta));
        assertThat(deltas).hasSize(generation.tokens().size());
        assertThat(String.join("", deltas)).isEqualTo(generation.text());
    }

    @Test
    void onlyTheFinalTokenIsMarkedLastWhetherTheLimitOrAStopStringEndsIt() {
        Generation full = generate("Numbers:", 30, SamplingParams.greedy(), List.of());
        String stop = full.text().substring(5, 7);
        for (List<String> stops : List.of(List.<String>of(), List.of(stop))) {
            List<Boolean> lastFlags = new ArrayList<>();
            Generation generation = generator.generate(new GenerationRequest("Numbers:", 30, SamplingParams.greedy(),
                    stops, null), new TokenListener() {
                        @Override
                        public void onToken(GeneratedToken token, String delta) {
                            lastFlags.add(false);
                        }

                        @Override
                        public void onLastToken(GeneratedToken token, String delta) {
                            lastFlags.add(true);
                        }
                    });
            assertThat(generation.finishReason()).isEqualTo(stops.isEmpty() ? FinishReason.LENGTH
                    : FinishReason.STOP_SEQUENCE);
            assertThat(lastFlags).hasSize(generation.tokens().size()).endsWith(true);
            assertThat(lastFlags.subList(0, lastFlags.size() - 1)).doesNotContain(true);
        }
    }

    @Test
    void promptsThatDoNotFitAreRefusedUnlessTruncationIsAsked() {
        String longPrompt = "word ".repeat(60);
        assertThatThrownBy(() -> generate(longPrompt, 5, SamplingParams.greedy(), List.of()))
                .isInstanceOf(InvalidPromptException.class)
                .hasMessageContaining("context length of 48");
        assertThatThrownBy(() -> generate("hi", 48, SamplingParams.greedy(), List.of()))
                .isInstanceOf(InvalidPromptException.class)
                .hasMessageContaining("max_new_tokens is 48");
        Generation truncated = generator.generate(new GenerationRequest(longPrompt, 5, SamplingParams.greedy(),
                List.of(), 10), TokenListener.NONE);
        assertThat(truncated.prompt()).hasSize(10);
        assertThat(truncated.tokens()).hasSize(5);
    }

    private static List<Integer> ids(Generation generation) {
        return generation.tokens().stream().map(GeneratedToken::id).toList();
    }
}
