package org.dcpserve.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.PruningReport;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.dcpserve.train.DjlRuntime;
import org.dcpserve.train.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trainer's model computes what the engine serves: the DJL forward pass in DCP_HARD,
 * SLIDING_WINDOW and DENSE mode against the exported package run by ONNX Runtime with the matching
 * pruning policy (the engine's prefill builds the same hard cumulative-product mask).
 */
class ParityTest {

    private static final double TOLERANCE = 1e-4;
    private static final int RANK = 8;
    private static final int WINDOW = 7;
    private static final int LENGTH = 40;

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        DjlRuntime.pytorch(2);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static Stream<Arguments> randomModels() {
        // llamaFamilyConfig: halves RoPE with llama3 scaling, GQA, head_dim 16 (q 64 wide, d 32), q/k/v biases, q/k norms.
        return Stream.of(RandomModels.llamaConfig(), RandomModels.llamaFamilyConfig(), RandomModels.gpt2Config()).flatMap(base -> {
            float[] beta = new float[base.layers()];
            Arrays.fill(beta, 1.2f);
            ModelConfig config = base.withDcp(new ModelConfig.DcpSpec(RANK, beta));
            String arch = config.architecture().id() + (config.ropeLayout() == ModelConfig.RopeLayout.HALVES ? " family" : "");
            return Stream.of(
                    Arguments.of(arch + " dcp hard", config, MaskMode.DCP_HARD),
                    Arguments.of(arch + " sliding window", config, MaskMode.slidingWindow(WINDOW)),
                    Arguments.of(arch + " dense", config, MaskMode.DENSE));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomModels")
    void randomModelMatchesTheEngine(String name, ModelConfig config, MaskMode mode) throws IOException {
        ModelWeights weights = RandomModels.weights(config, 2024);
        int[] tokens = new SplittableRandom(5).ints(LENGTH, 0, config.vocabSize()).toArray();
        Path tokenizer = config.tokenizer().kind().equals(ModelConfig.TokenizerSpec.LLAMA2C)
                ? TestModels.writeCharTokenizer(dir.resolve("tok.bin"), config.vocabSize())
                : null;
        assertParity(config, weights, GateSetup.dcp(RANK, 1), tokenizer, tokens, mode);
    }

    @Test
    void stories260KWithNewGatesMatchesTheEngine() throws IOException {
        SharedData.assumePresent(SharedData.stories260K());
        ImportedModel base = Llama2cImporter.load(SharedData.stories260K(), SharedData.stories260KTokenizer());
        Tokenizer tokenizer = ModelLoader.tokenizer(base.config(), base.tokenizerFile());
        int[] text = tokenizer.encode("Once upon a time, there was a little girl named Lily. She loved to play"
                + " outside in the park. One day, she saw a big, red ball.");
        int[] tokens = new int[text.length + 1];
        tokens[0] = base.config().tokenizer().bosId();
        System.arraycopy(text, 0, tokens, 1, text.length);
        // New random gates with a low beta so that the hard gate drops a good share of the context.
        GateSetup gates = new GateSetup(true, 16, 0.5f, 7);
        for (MaskMode mode : new MaskMode[] {MaskMode.DCP_HARD, MaskMode.slidingWindow(WINDOW), MaskMode.DENSE}) {
            assertParity(base.config(), base.weights(), gates, base.tokenizerFile(), tokens, mode);
        }
    }

    private void assertParity(ModelConfig config, ModelWeights weights, GateSetup gates, Path tokenizerFile,
                              int[] tokens, MaskMode mode) throws IOException {
        try (DcpTransformer model = DcpTransformer.create(manager, config, weights, gates)) {
            float[] actual = model.logits(tokens, mode);
            double djlSparsity = 1 - meanKeep(model, tokens, mode);

            Path packageDir = dir.resolve("package-" + System.nanoTime());
            ModelPackage.write(packageDir, model.exportConfig(), model.toWeights(), tokenizerFile);
            ModelSource source = ModelLoader.load(packageDir);
            PruningPolicy policy = switch (mode) {
                case MaskMode.DcpHard hard -> new DcpGatePolicy(source.config().dcp());
                case MaskMode.SlidingWindow window -> new SlidingWindowPolicy(window.window());
                default -> DensePolicy.INSTANCE;
            };
            float[] expected;
            PruningReport report;
            try (OnnxTransformer engine = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
                Sequence sequence = new Sequence(engine, policy);
                expected = sequence.forwardAll(tokens);
                report = sequence.report();
            }
            assertThat(actual).hasSameSizeAs(expected);
            double maxDiff = 0;
            for (int i = 0; i < actual.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            }
            assertThat(maxDiff).as("max |DJL - engine| logits, %s", mode).isLessThanOrEqualTo(TOLERANCE);
            assertThat(djlSparsity).as("sparsity over causal pairs, DJL vs engine report")
                    .isCloseTo(report.sparsity(), org.assertj.core.data.Offset.offset(1e-6));
            if (mode instanceof MaskMode.DcpHard) {
                assertThat(report.sparsity()).as("a sizeable share of the context is pruned").isGreaterThan(0.3);
            }
        }
    }

    private static double meanKeep(DcpTransformer model, int[] tokens, MaskMode mode) {
        try (NDManager local = manager.newSubManager()) {
            long[] ids = Arrays.stream(tokens).asLongStream().toArray();
            return model.forward(local.create(ids, new ai.djl.ndarray.types.Shape(1, ids.length)), mode)
                    .meanKeep().getFloat();
        }
    }
}
