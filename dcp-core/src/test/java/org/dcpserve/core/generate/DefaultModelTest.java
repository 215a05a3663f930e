package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.dcpserve.core.DefaultModel;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.pruning.PruningReport;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed default model (our own GPT-2, pretrained and DCP-fine-tuned on State of the Union
 * addresses) as a regression guard for the engine and the tokenizer; it never skips.
 */
class DefaultModelTest {

    static final String PROMPT = "The Congress";
    /** The greedy continuation of {@link #PROMPT}, 30 tokens, as the shipped package produced it. */
    static final String GREEDY_CONTINUATION = "TO BE MEASURED";

    static ModelSource source;
    static OnnxTransformer model;
    static TextGenerator generator;

    @BeforeAll
    static void load() throws IOException {
        source = ModelLoader.load(DefaultModel.path());
        model = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU);
        generator = new TextGenerator(model, source.tokenizer());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void itIsAGatedGpt2WithItsOwnTokenizer() {
        assertThat(source.config().architecture()).isEqualTo(Architecture.GPT2);
        assertThat(source.config().hasDcpGates()).isTrue();
        assertThat(source.config().tokenizer().kind()).isEqualTo("bpe");
        Tokenizer tokenizer = source.tokenizer();
        assertThat(tokenizer.encode(" the")).as("common words are single word-piece tokens").hasSize(1);
        assertThat(tokenizer.encode(" Congress")).hasSize(1);
    }

    @Test
    void theGreedyContinuationIsExactlyTheKnownOne() {
        Generation generation = generator.generate(new GenerationRequest(PROMPT, 30, SamplingParams.greedy(), List.of(),
                null), TokenListener.NONE);
        assertThat(generation.pruning().policy()).isEqualTo("dcp");
        assertThat(generation.text()).isEqualTo(GREEDY_CONTINUATION);
    }

    @Test
    void aHundredTokenGenerationPrunesMoreThanHalfTheContextInEveryLayer() {
        Generation generation = generator.generate(new GenerationRequest(PROMPT, 100,
                new SamplingParams(0.8f, 0, 1f, 42L), List.of(), null), TokenListener.NONE);
        PruningReport report = generation.pruning();
        assertThat(generation.tokens()).hasSize(100);
        assertThat(report.policy()).isEqualTo("dcp");
        assertThat(report.sparsity()).isGreaterThan(0.5);
        assertThat(report.layers()).hasSize(source.config().layers())
                .allSatisfy(layer -> assertThat(layer.dropped()).as("layer %d drops", layer.layer()).isPositive());
        assertThat(report.kvCacheBytes()).isLessThan(report.denseKvCacheBytes() / 2);
    }

    @Test
    void theShippedTokenizerRoundTripsArbitraryUnicode() {
        Tokenizer tokenizer = source.tokenizer();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(40);
            while (text.codePointCount(0, text.length()) < length) {
                int codePoint = switch (random.nextInt(4)) {
                    case 0 -> 0x20 + random.nextInt(0x5F);                  // ASCII
                    case 1 -> random.nextInt(0x3000);                       // controls, Latin, Greek, CJK symbols ...
                    case 2 -> 0x1F300 + random.nextInt(0x300);              // emoji (surrogate pairs)
                    default -> random.nextInt(Character.MAX_CODE_POINT + 1);
                };
                if (Character.isValidCodePoint(codePoint) && !(codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                    text.appendCodePoint(codePoint);
                }
            }
            String s = text.toString();
            assertThat(tokenizer.decode(tokenizer.encode(s))).as("round trip of %s", s.codePoints().boxed().toList())
                    .isEqualTo(s);
        }
    }
}
