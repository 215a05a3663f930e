package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.junit.jupiter.api.Test;

/** The real pretrained stories260K, imported on the fly, reproduces its known greedy continuation. */
class Stories260KGenerationTest {

    private static final String KNOWN_CONTINUATION = "Once upon a time, there was a little girl named Lily."
            + " She loved to play outside in the park. One day, she saw a big, red ball.";

    @Test
    void greedyContinuationOfOnceUponATimeIsTheKnownOne() throws Exception {
        SharedData.assumePresent(SharedData.stories260K());
        ModelSource source = ModelLoader.load(SharedData.stories260K());
        try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            TextGenerator generator = new TextGenerator(model, source.tokenizer());
            Generation generation = generator.generate(new GenerationRequest("Once upon a time", 40,
                    SamplingParams.greedy(), List.of(), null), TokenListener.NONE);

            assertThat(generation.tokens()).hasSize(40);
            assertThat(generation.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat("Once upon a time" + generation.text()).isEqualTo(KNOWN_CONTINUATION);
        }
    }

    @Test
    void truncationKeepsBosFirstAndAHugePromptIsHandledWithoutEncodingItAll() throws Exception {
        SharedData.assumePresent(SharedData.stories260K());
        ModelSource source = ModelLoader.load(SharedData.stories260K());
        try (OnnxTransformer model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            TextGenerator generator = new TextGenerator(model, source.tokenizer());
            String huge = "Once upon a time there was a dog. ".repeat(30_000);                 // ~1M characters

            assertThatThrownBy(() -> generator.promptTokens(new GenerationRequest(huge, 10, SamplingParams.greedy(),
                    List.of(), null))).isInstanceOf(InvalidPromptException.class).hasMessageContaining("set parameters.truncate");

            int[] truncated = generator.promptTokens(new GenerationRequest(huge, 10, SamplingParams.greedy(), List.of(), 12));
            assertThat(truncated).hasSize(12);
            assertThat(truncated[0]).isEqualTo(source.config().tokenizer().bosId());
            assertThat(source.tokenizer().decode(java.util.Arrays.copyOfRange(truncated, 1, 12))).endsWith("there was a dog. ");
        }
    }
}
